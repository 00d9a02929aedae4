import type { LogEvent } from '../log/record.js';
import type { EventStore } from '../store/event-store.js';
import { streamNameOf } from './convert.js';
import { type RpcError, streamDeletedError } from './errors.js';
import type { ReadOptions } from './read.js';
import { validateStreamName } from './validation.js';

/**
 * The stream a read or subscription names, after the checks both make first: a valid name,
 * and not deleted. Returns the error to answer with otherwise.
 */
export function requestedStream(store: EventStore, options: ReadOptions): string | RpcError {
  const name = streamNameOf(options.getStream()!.getStreamIdentifier());
  const invalid = validateStreamName(name);
  if (invalid) return invalid;
  if (store.streamStatus(name).kind === 'deleted') return streamDeletedError(name);
  return name;
}

/** With `resolve_links`, how a `$>` link event finds its target. */
export function linkResolver(store: EventStore, options: ReadOptions) {
  return options.getResolveLinks() ? (link: LogEvent) => store.resolveLink(link) : undefined;
}
