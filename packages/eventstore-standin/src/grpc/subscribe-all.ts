import { LOG_HEADER_SIZE } from '../log/event-log.js';
import type { LogEvent } from '../log/record.js';
import type { EventStore } from '../store/event-store.js';
import { AllCursor } from './all-cursor.js';
import type { EventFilter } from './filter.js';
import type { AllTarget, ReadRequest } from './read-request.js';
import {
  caughtUpResponse,
  checkpointResponse,
  confirmationResponse,
  readEventResponse,
} from './read-responses.js';
import type { ResponseSink } from './response-sink.js';
import { SubscriptionWakeup } from './subscription-wakeup.js';

/**
 * A subscription to $all from an exclusive start: back catalogue, `caught_up`, then live, over
 * one cursor (see subscribe-stream.ts). A filtered one sends checkpoints as EventStoreDB does.
 */
export async function subscribeToAll(
  store: EventStore,
  sink: ResponseSink,
  request: ReadRequest<AllTarget>,
): Promise<void> {
  const { from, filter } = request.target;
  const wakeup = new SubscriptionWakeup(store, sink, '$all');
  const cursor = new AllCursor(
    store,
    from === 'start' ? LOG_HEADER_SIZE : from === 'end' ? store.committedEnd : from + 1,
  );
  await sink.send(confirmationResponse());
  const checkpoints = new CheckpointCounter(filter);
  let isCaughtUp = false;
  let lastConsidered: LogEvent | undefined;
  while (!sink.closed) {
    if (cursor.position < store.committedEnd) {
      for (const event of cursor.eventsBefore(store.committedEnd)) {
        if (sink.closed) return;
        lastConsidered = event;
        if (!filter || filter.matches(event)) {
          await sink.send(readEventResponse(event, request.structured, request.resolve));
          wakeup.progress.delivered++;
        }
        if (checkpoints.considered())
          await sink.send(checkpointResponse(event.commit, event.position));
      }
      continue;
    }
    if (!isCaughtUp) {
      isCaughtUp = true;
      // As EventStoreDB does when a filtered subscription goes live: a checkpoint at the point
      // it caught up, so a consumer waiting on a filtered-out position is not left hanging.
      const last = lastConsidered ?? lastDurableEvent(store);
      if (filter && last) await sink.send(checkpointResponse(last.commit, last.position));
      await sink.send(caughtUpResponse());
      continue;
    }
    await wakeup.next();
  }
}

function lastDurableEvent(store: EventStore): LogEvent | undefined {
  const count = store.allDurableCount();
  return count > 0 ? store.readAt(store.allPositionAt(count - 1)) : undefined;
}

/** Counts considered events, matched or filtered out, as the real server does. */
class CheckpointCounter {
  #count = 0;

  constructor(readonly filter: EventFilter | undefined) {}

  /** True when a checkpoint is due after this event. */
  considered(): boolean {
    if (!this.filter) return false;
    this.#count++;
    if (this.#count < this.filter.checkpointInterval) return false;
    this.#count = 0;
    return true;
  }
}
