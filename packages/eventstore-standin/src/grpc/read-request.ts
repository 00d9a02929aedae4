import type { ReadOptions } from '../protocol.js';
import type { EventStore } from '../store/event-store.js';
import { parseUint64, streamNameOf } from './convert.js';
import { invalidArgument, type RpcError, streamDeletedError } from './errors.js';
import { type EventFilter, parseFilter } from './filter.js';
import type { LinkResolver } from './read-responses.js';
import { validateStreamName } from './validation.js';

/** Where in a stream to start: its start, its end, or a revision. */
export type StreamFrom = 'start' | 'end' | bigint;
/** Where in $all to start: its start, its end, or a (prepare) position. */
export type AllFrom = 'start' | 'end' | number;

export interface StreamTarget {
  kind: 'stream';
  name: string;
  from: StreamFrom;
}

export interface AllTarget {
  kind: 'all';
  from: AllFrom;
  filter: EventFilter | undefined;
}

/**
 * A Read request after the checks that stream reads, $all reads and both kinds of subscription
 * make alike. Each of them then only decides what its start point means (inclusive for reads,
 * exclusive for subscriptions) and how far it goes.
 */
export interface ReadRequest<Target extends StreamTarget | AllTarget = StreamTarget | AllTarget> {
  target: Target;
  forwards: boolean;
  /** How many events a read returns at most; undefined for a subscription, which never ends. */
  limit: number | undefined;
  /** Event ids in the structured (two int64) form rather than as strings. */
  structured: boolean;
  /** Set when `$>` link events are to be resolved to their targets. */
  resolve: LinkResolver | undefined;
}

/** Validates a Read's options; the error to answer with if they are not valid. */
export function parseReadRequest(store: EventStore, options: ReadOptions): ReadRequest | RpcError {
  const direction = options.getReadDirection();
  if (direction !== 0 && direction !== 1) {
    return invalidArgument(`Unknown read direction ${direction}.`);
  }
  if (!options.hasStream() && !options.hasAll()) {
    return invalidArgument('A read needs a stream or $all.');
  }
  let limit: number | undefined;
  if (!options.hasSubscription()) {
    if (!options.hasCount()) return invalidArgument('A read needs a count.');
    const count = parseUint64(options.getCount());
    if (count === undefined) return invalidArgument('Invalid read count.');
    limit = count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
  }
  const target = options.hasStream() ? streamTarget(store, options) : allTarget(options);
  if (target instanceof Error) return target;
  return {
    target,
    forwards: direction === 0,
    limit,
    structured: options.getUuidOption()?.hasStructured() ?? false,
    resolve: options.getResolveLinks() ? (link) => store.resolveLink(link) : undefined,
  };
}

/** The stream named, if valid and not deleted, and where to start in it. */
function streamTarget(store: EventStore, options: ReadOptions): StreamTarget | RpcError {
  const streamOptions = options.getStream()!;
  const name = streamNameOf(streamOptions.getStreamIdentifier());
  const invalid = validateStreamName(name);
  if (invalid) return invalid;
  if (store.streamStatus(name).kind === 'deleted') return streamDeletedError(name);
  if (streamOptions.hasStart()) return { kind: 'stream', name, from: 'start' };
  if (streamOptions.hasEnd()) return { kind: 'stream', name, from: 'end' };
  const revision = parseUint64(streamOptions.getRevision());
  if (revision === undefined) return invalidArgument('Invalid stream revision.');
  return { kind: 'stream', name, from: revision };
}

/** Where to start in $all, and the server-side filter if there is one. */
function allTarget(options: ReadOptions): AllTarget | RpcError {
  const filter = parseFilter(options);
  if (filter instanceof Error) return filter;
  const allOptions = options.getAll()!;
  if (allOptions.hasStart()) return { kind: 'all', from: 'start', filter };
  if (allOptions.hasEnd()) return { kind: 'all', from: 'end', filter };
  const position = allOptions.getPosition();
  const prepare = position ? parseUint64(position.getPreparePosition()) : undefined;
  const commit = position ? parseUint64(position.getCommitPosition()) : undefined;
  if (prepare === undefined || commit === undefined) {
    return invalidArgument('Invalid $all position.');
  }
  // Positions are record offsets; anything past the safe range is past the end of the log.
  const from =
    prepare >= BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER - 1 : Number(prepare);
  return { kind: 'all', from, filter };
}
