import { LINK_EVENT_TYPE } from '../grpc/read-responses.js';
import { formatUuid } from '../grpc/uuid.js';
import { type LogEvent, TOMBSTONE_REVISION } from '../log/record.js';
import type { EventStore } from '../store/event-store.js';
import { isMetastream } from '../store/stream-metadata.js';
import { categoryOf } from './by-category.js';
import type { EventEnvelopeInput, QueryDefinition } from './js-runtime.js';

/**
 * Which events of `$all` a user projection's handlers see, and as what. Pure: one `$all` event
 * in, the event to hand over (or nothing) out.
 *
 * - `fromAll()`: as EventStoreDB's `TransactionFileEventFilter` without `$includeLinks`: no `$>`
 *   links, no events of system streams (`$...`), except the metadata streams of user streams.
 * - `fromStream(s)` / `fromStreams([...])`: the events of those streams; a `$>` link in them is
 *   handed over as its target (EventStoreDB reads source streams resolving links), with the link's
 *   metadata as `linkMetadata`. A link whose target is gone is skipped.
 * - `fromCategory(c)`: EventStoreDB reads `$ce-c`, i.e. `$by_category`'s links to the events of
 *   streams `c-...`. The stand-in selects those events from `$all` directly (same events, same
 *   order), so a category projection does not need `$by_category` to be running.
 * - Then, unless the query has `$any`, only event types with a handler.
 * - Tombstones (`$streamDeleted`) are never handed over (`$deleted` handlers are not supported).
 */
export function sourceEventOf(
  store: EventStore,
  definition: QueryDefinition,
  event: LogEvent,
): EventEnvelopeInput | undefined {
  const source = definition.source;
  if (!source || event.revision === TOMBSTONE_REVISION) return undefined;
  let target = event;
  let link: LogEvent | undefined;
  let category: string | undefined;
  switch (source.kind) {
    case 'all':
      if (event.type === LINK_EVENT_TYPE || !visibleToAll(event.streamName)) return undefined;
      break;
    case 'streams':
      if (!source.names.includes(event.streamName)) return undefined;
      break;
    case 'category':
      category = categoryOf(event.streamName);
      if (category === undefined || !source.names.includes(category)) return undefined;
      break;
  }
  if (source.kind !== 'all' && event.type === LINK_EVENT_TYPE) {
    const resolved = store.resolveLink(event);
    if (!resolved || resolved.revision === TOMBSTONE_REVISION) return undefined;
    link = event;
    target = resolved;
  }
  if (!definition.any && !definition.eventTypes.includes(target.type)) return undefined;
  const envelope: EventEnvelopeInput = {
    streamId: target.streamName,
    sequenceNumber: Number(target.revision),
    eventType: target.type,
    eventId: formatUuid(target.id),
    isJson: target.contentType === 'application/json',
    bodyRaw: target.data.toString('utf8'),
    metadataRaw: target.metadata.toString('utf8'),
  };
  if (link) envelope.linkMetadataRaw = link.metadata.toString('utf8');
  if (category !== undefined) envelope.category = category;
  return envelope;
}

function visibleToAll(stream: string): boolean {
  if (!stream.startsWith('$')) return true;
  return isMetastream(stream) && !stream.slice(2).startsWith('$');
}
