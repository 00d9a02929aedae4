import type { EventStore } from '../store/event-store.js';
import type { ReadRequest, StreamTarget } from './read-request.js';
import { readEventResponse, streamNotFoundResponse } from './read-responses.js';
import type { ResponseSink } from './response-sink.js';
import { visibleEventAt } from './stream-events.js';

/**
 * A read of one stream, forwards or backwards, from an inclusive start. A stream that does not
 * exist (or is soft-deleted) is answered in-band with StreamNotFound.
 */
export async function readStream(
  store: EventStore,
  sink: ResponseSink,
  request: ReadRequest<StreamTarget>,
  limit: number,
): Promise<void> {
  const { name, from } = request.target;
  const status = store.streamStatus(name);
  if (status.kind !== 'ok') {
    await sink.send(streamNotFoundResponse(name));
    return sink.end();
  }
  const { stream } = status;
  const range = store.visibleRange(stream);
  const { first, end } = range;
  const forwards = request.forwards;
  let revision: number;
  if (from === 'start') revision = forwards ? first : 0;
  else if (from === 'end') revision = forwards ? end : end - 1;
  else revision = from > BigInt(end) ? end : Number(from);
  if (forwards) revision = Math.max(revision, first);
  else revision = Math.min(revision, end - 1);
  let sent = 0;
  while (sent < limit && !sink.closed && (forwards ? revision < end : revision >= first)) {
    const event = visibleEventAt(store, stream, revision, range);
    revision += forwards ? 1 : -1;
    if (!event) continue;
    await sink.send(readEventResponse(event, request.structured, request.resolve));
    sent++;
  }
  sink.end();
}
