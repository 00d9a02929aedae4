import { BACKWARDS, END, type EventStoreDBClient, type Position } from '@eventstore/db-client';
import { TALLY_STREAM_PREFIXES } from '../read/projector.js';

const PAGE = 64;

/**
 * The position of the last event in one of Tally's streams: the head the projector must pass.
 * Not simply the last event of $all, which may be a system event the projector's filter never
 * shows it. This client cannot filter a read, so it reads back a page at a time; each page is
 * read to its end, because a read left half-way never releases its gRPC call.
 */
export async function lastTallyEventPosition(
  client: EventStoreDBClient,
): Promise<Position | undefined> {
  let from: Position | typeof END = END;
  for (;;) {
    let found: Position | undefined;
    let last: Position | undefined;
    let count = 0;
    for await (const resolved of client.readAll({
      direction: BACKWARDS,
      fromPosition: from,
      maxCount: PAGE,
    })) {
      const event = resolved.event;
      if (!event) continue;
      count++;
      last = event.position;
      if (!found && TALLY_STREAM_PREFIXES.some((prefix) => event.streamId.startsWith(prefix))) {
        found = event.position;
      }
    }
    if (found) return found;
    if (count < PAGE || !last) return undefined;
    from = last;
  }
}
