import type { ServerWritableStream } from '@grpc/grpc-js';
import { createLogger } from '../../../logger.js';
import { LOG_HEADER_SIZE } from '../log/event-log.js';
import type { ReadReq, ReadResp } from '../protocol.js';
import { streamsPb } from '../protocol.js';
import type { EventStore } from '../store/event-store.js';
import { parseUint64, readEventResponse, streamIdentifier } from './convert.js';
import { invalidArgument, rpcError, Status } from './errors.js';
import { parseFilter } from './filter.js';
import { linkResolver, requestedStream } from './requested-stream.js';
import { ResponseSink } from './response-sink.js';
import { subscribeToAll, subscribeToStream } from './subscribe.js';

const log = createLogger('eventstore.read');

export type ReadOptions = NonNullable<ReturnType<ReadReq['getOptions']>>;

/** Streams.Read: stream reads, $all reads and catch-up subscriptions all arrive here. */
export function readHandler(store: EventStore) {
  return (call: ServerWritableStream<ReadReq, ReadResp>) => {
    const sink = new ResponseSink(call);
    const options = call.request.getOptions();
    const run = async () => {
      if (!options) return sink.fail(invalidArgument('Read options are missing.'));
      const direction = options.getReadDirection();
      if (direction !== 0 && direction !== 1) {
        return sink.fail(invalidArgument(`Unknown read direction ${direction}.`));
      }
      if (!options.hasStream() && !options.hasAll()) {
        return sink.fail(invalidArgument('A read needs a stream or $all.'));
      }
      const structured = options.getUuidOption()?.hasStructured() ?? false;
      if (options.hasSubscription()) {
        return options.hasStream()
          ? subscribeToStream(store, sink, options, structured)
          : subscribeToAll(store, sink, options, structured);
      }
      if (!options.hasCount()) return sink.fail(invalidArgument('A read needs a count.'));
      const count = parseUint64(options.getCount());
      if (count === undefined) return sink.fail(invalidArgument('Invalid read count.'));
      const limit =
        count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
      return options.hasStream()
        ? readStream(store, sink, options, limit, structured)
        : readAll(store, sink, options, limit, structured);
    };
    run().catch((error: Error) => {
      log.error({ err: error }, 'read failed');
      sink.fail(rpcError(Status.INTERNAL, error.message));
    });
  };
}

async function readStream(
  store: EventStore,
  sink: ResponseSink,
  options: ReadOptions,
  limit: number,
  structured: boolean,
): Promise<void> {
  const streamOptions = options.getStream()!;
  const resolve = linkResolver(store, options);
  const name = requestedStream(store, options);
  if (typeof name !== 'string') return sink.fail(name);
  const status = store.streamStatus(name);
  if (status.kind !== 'ok') {
    const notFound = new streamsPb.ReadResp.StreamNotFound();
    notFound.setStreamIdentifier(streamIdentifier(name));
    const response = new streamsPb.ReadResp();
    response.setStreamNotFound(notFound);
    await sink.send(response);
    return sink.end();
  }
  const { stream } = status;
  const { first, end, minCreated } = store.visibleRange(stream);
  const forwards = options.getReadDirection() === 0;
  let revision: number;
  if (streamOptions.hasStart()) revision = forwards ? first : 0;
  else if (streamOptions.hasEnd()) revision = forwards ? end : end - 1;
  else {
    const requested = parseUint64(streamOptions.getRevision());
    if (requested === undefined) return sink.fail(invalidArgument('Invalid stream revision.'));
    revision = requested > BigInt(end) ? end : Number(requested);
  }
  if (forwards) revision = Math.max(revision, first);
  else revision = Math.min(revision, end - 1);
  let sent = 0;
  while (sent < limit && !sink.closed && (forwards ? revision < end : revision >= first)) {
    const event = store.readAt(stream.positions.at(revision));
    revision += forwards ? 1 : -1;
    if (minCreated !== undefined && event.created < minCreated) continue;
    await sink.send(readEventResponse(event, structured, resolve));
    sent++;
  }
  sink.end();
}

async function readAll(
  store: EventStore,
  sink: ResponseSink,
  options: ReadOptions,
  limit: number,
  structured: boolean,
): Promise<void> {
  const allOptions = options.getAll()!;
  const resolve = linkResolver(store, options);
  const filter = parseFilter(options);
  if (filter instanceof Error) return sink.fail(filter);
  const forwards = options.getReadDirection() === 0;
  let from: number;
  if (allOptions.hasStart()) from = forwards ? LOG_HEADER_SIZE : 0;
  else if (allOptions.hasEnd()) from = store.committedEnd;
  else {
    const position = allOptions.getPosition();
    const prepare = position ? parseUint64(position.getPreparePosition()) : undefined;
    const commit = position ? parseUint64(position.getCommitPosition()) : undefined;
    if (prepare === undefined || commit === undefined) {
      return sink.fail(invalidArgument('Invalid $all position.'));
    }
    from = Number(prepare > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : prepare);
  }
  let sent = 0;
  if (forwards) {
    // Start at the first event at or after the position: positions are record offsets.
    const index = store.allIndexAtOrAfter(from);
    let cursor = index < store.allDurableCount() ? store.allPositionAt(index) : store.committedEnd;
    const end = store.committedEnd;
    while (sent < limit && !sink.closed && cursor < end) {
      for (const event of store.readForward(cursor)) {
        if (event.position >= end || sent >= limit || sink.closed) {
          cursor = end;
          break;
        }
        cursor = event.position + event.size;
        if (filter && !filter.matches(event)) continue;
        await sink.send(readEventResponse(event, structured, resolve));
        sent++;
      }
    }
  } else {
    // Backwards from a position reads the events before it.
    let index = Math.min(store.allIndexAtOrAfter(from), store.allDurableCount()) - 1;
    while (sent < limit && !sink.closed && index >= 0) {
      const event = store.readAt(store.allPositionAt(index--));
      if (filter && !filter.matches(event)) continue;
      await sink.send(readEventResponse(event, structured, resolve));
      sent++;
    }
  }
  sink.end();
}
