import { LOG_HEADER_SIZE } from '../log/event-log.js';
import type { EventStore } from '../store/event-store.js';
import { AllCursor } from './all-cursor.js';
import type { AllTarget, ReadRequest } from './read-request.js';
import { readEventResponse } from './read-responses.js';
import type { ResponseSink } from './response-sink.js';

/**
 * A read of $all. Forwards from a position starts at the first event at or after it; backwards
 * from a position reads the events before it. Both stop where the log ended when the read began.
 */
export async function readAll(
  store: EventStore,
  sink: ResponseSink,
  request: ReadRequest<AllTarget>,
  limit: number,
): Promise<void> {
  const { from, filter } = request.target;
  const send = async (event: Parameters<typeof readEventResponse>[0]) =>
    sink.send(readEventResponse(event, request.structured, request.resolve));
  let sent = 0;
  if (request.forwards) {
    const start = from === 'start' ? LOG_HEADER_SIZE : from === 'end' ? store.committedEnd : from;
    const cursor = new AllCursor(store, start);
    if (limit > 0) {
      for (const event of cursor.eventsBefore(store.committedEnd)) {
        if (filter && !filter.matches(event)) continue;
        await send(event);
        if (++sent >= limit || sink.closed) break;
      }
    }
  } else {
    const before = from === 'start' ? 0 : from === 'end' ? store.committedEnd : from;
    let index = Math.min(store.allIndexAtOrAfter(before), store.allDurableCount()) - 1;
    while (sent < limit && !sink.closed && index >= 0) {
      const event = store.readAt(store.allPositionAt(index--));
      if (filter && !filter.matches(event)) continue;
      await send(event);
      sent++;
    }
  }
  sink.end();
}
