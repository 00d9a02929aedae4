import { LINK_EVENT_TYPE } from '../grpc/read-responses.js';
import { formatUuid } from '../grpc/uuid.js';
import type { LogEvent } from '../log/record.js';
import { isMetastream, isSoftDeleted, parseStreamMetadata } from '../store/stream-metadata.js';

/**
 * The rule of EventStoreDB's `$by_category` standard projection
 * (`EventStore.Projections.Core.Standard.CategorizeEventsByStreamPath` with its default
 * configuration `first` / `-`): every event of a stream `<category>-<rest>` gets a `$>` link in
 * `$ce-<category>`. Pure: which link an event gets, nothing about writing it.
 */

export const CATEGORY_STREAM_PREFIX = '$ce-';

/** EventStoreDB's `StreamCategoryExtractorByFirstSeparator` with separator '-'. */
export function categoryOf(streamName: string): string | undefined {
  if (streamName.startsWith('$')) return undefined;
  const separator = streamName.indexOf('-');
  return separator > 0 ? streamName.slice(0, separator) : undefined;
}

/** The link `$by_category` emits for one event of `$all`. */
export interface CategoryLink {
  stream: string;
  /** The link's data, `<revision>@<stream>`. */
  target: string;
  /** The link's metadata (JSON), as EventStoreDB's emitted streams stamp it. */
  metadata: Record<string, unknown>;
}

/** Which projection version wrote a link: `$v` is `<projection id>:<epoch>:<version>:<system>`. */
export interface ProjectionStamp {
  projectionId: number;
  epoch: number;
  version: number;
}

/** EventStoreDB's `ProjectionsSubsystem.VERSION`, the last part of `$v`. */
const PROJECTIONS_SUBSYSTEM_VERSION = 4;

/**
 * The link for `event`, or undefined when the event is not categorised: streams starting with
 * '$' are not (links in `$ce-` streams included, so the projection never feeds on itself),
 * except that a stream's deletion (its `$streamDeleted` tombstone, or `$metadata` in `$$stream`
 * with `$tb` = long.MaxValue) is linked into the deleted stream's category, marked `$deleted`.
 * An event that is itself a `$>` link is linked to the same target, not to the link.
 */
export function linkFor(event: LogEvent, stamp: ProjectionStamp): CategoryLink | undefined {
  const deletedStream = deletedStreamOf(event);
  const categorised = deletedStream ?? event.streamName;
  const category = categoryOf(categorised);
  if (category === undefined) return undefined;
  const target =
    event.type === LINK_EVENT_TYPE
      ? event.data.toString('utf8')
      : `${event.revision.toString()}@${event.streamName}`;
  const metadata: Record<string, unknown> = {
    $v: `${stamp.projectionId}:${stamp.epoch}:${stamp.version}:${PROJECTIONS_SUBSYSTEM_VERSION}`,
    $c: event.commit,
    $p: event.position,
    $o: categorised,
  };
  if (deletedStream !== undefined) metadata.$deleted = -1;
  metadata.$causedBy = formatUuid(event.id);
  const correlationId = correlationIdOf(event);
  if (correlationId !== undefined) metadata.$correlationId = correlationId;
  return { stream: `${CATEGORY_STREAM_PREFIX}${category}`, target, metadata };
}

/** EventStoreDB's `StreamDeletedHelper.IsStreamDeletedEvent`: the stream a deletion deletes. */
function deletedStreamOf(event: LogEvent): string | undefined {
  if (isMetastream(event.streamName)) {
    if (event.type !== '$metadata') return undefined;
    return isSoftDeleted(parseStreamMetadata(event.data)) ? event.streamName.slice(2) : undefined;
  }
  return event.type === '$streamDeleted' ? event.streamName : undefined;
}

/** The source's `$correlationId`, which emitted events carry on (when its metadata is JSON). */
function correlationIdOf(event: LogEvent): string | undefined {
  if (event.metadata.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(event.metadata.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object') return undefined;
    const value = (parsed as Record<string, unknown>).$correlationId;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The source position a link written by this projection stands for (`$p`), if it is one. */
export function sourcePositionOf(link: LogEvent): number | undefined {
  if (link.type !== LINK_EVENT_TYPE || !link.streamName.startsWith(CATEGORY_STREAM_PREFIX)) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(link.metadata.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object') return undefined;
    const { $p: prepare, $v: version } = parsed as Record<string, unknown>;
    return typeof prepare === 'number' && typeof version === 'string' ? prepare : undefined;
  } catch {
    return undefined;
  }
}
