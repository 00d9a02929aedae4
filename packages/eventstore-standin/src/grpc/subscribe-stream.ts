import type { EventStore } from '../store/event-store.js';
import { streamDeletedError } from './errors.js';
import type { ReadRequest, StreamTarget } from './read-request.js';
import { caughtUpResponse, confirmationResponse, readEventResponse } from './read-responses.js';
import type { ResponseSink } from './response-sink.js';
import { visibleEventAt } from './stream-events.js';
import { SubscriptionWakeup } from './subscription-wakeup.js';

// A catch-up subscription is a cursor into the log. It reads up to the durable end, says
// `caught_up` once, then sleeps until the next group commit wakes it and reads on from the same
// cursor. Catch-up and live are one loop over one cursor, so the switch can neither skip nor
// repeat an event, and a slow client only makes the loop wait: nothing queues in memory.

/** A subscription to one stream, from an exclusive start. It ends if the stream is tombstoned. */
export async function subscribeToStream(
  store: EventStore,
  sink: ResponseSink,
  request: ReadRequest<StreamTarget>,
): Promise<void> {
  const { name, from } = request.target;
  const wakeup = new SubscriptionWakeup(store, sink, name);
  // From revision r the first event delivered is r + 1.
  let next: number;
  if (from === 'start') next = 0;
  else if (from === 'end') {
    const stream = store.stream(name);
    next = stream ? store.durableCount(stream) : 0;
  } else next = Number(from) + 1;
  await sink.send(confirmationResponse());
  let isCaughtUp = false;
  while (!sink.closed) {
    const stream = store.stream(name);
    if (stream?.tombstone !== undefined && stream.tombstone < store.committedEnd) {
      return sink.fail(streamDeletedError(name));
    }
    if (stream) {
      const range = store.visibleRange(stream);
      next = Math.max(next, range.first);
      if (next < range.end) {
        const event = visibleEventAt(store, stream, next++, range);
        if (event) {
          await sink.send(readEventResponse(event, request.structured, request.resolve));
          wakeup.progress.delivered++;
        }
        continue;
      }
    }
    if (!isCaughtUp) {
      isCaughtUp = true;
      await sink.send(caughtUpResponse());
      continue;
    }
    await wakeup.next();
  }
}
