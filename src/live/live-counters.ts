/**
 * Counters of the live-update machinery, for the operations metrics to export. Plain numbers,
 * per process, only ever incremented.
 */
export const liveCounters = {
  /** Subscribers disconnected because their queue of unsent updates went over its bound. */
  slowSubscribersDropped: 0,
  /** Shared change streams that ended while subscribers listened, and were reopened. */
  changeStreamsReopened: 0,
  /** Listeners that threw while a change was dispatched, and were removed. */
  listenersFailed: 0,
};
