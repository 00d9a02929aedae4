import type { LogEvent } from '../log/record.js';
import type { EventStore } from '../store/event-store.js';
import type { StreamState } from '../store/stream-state.js';

/** The revisions of a stream a reader may see now (`$tb`, `$maxCount`) and its `$maxAge` cut. */
export type VisibleRange = ReturnType<EventStore['visibleRange']>;

/**
 * The event at `revision`, unless `$maxAge` hides it. Stream reads and stream subscriptions both
 * walk the revisions of `range` and take each event through here.
 */
export function visibleEventAt(
  store: EventStore,
  stream: StreamState,
  revision: number,
  range: VisibleRange,
): LogEvent | undefined {
  const event = store.readAt(stream.positions.at(revision));
  return range.minCreated === undefined || event.created >= range.minCreated ? event : undefined;
}
