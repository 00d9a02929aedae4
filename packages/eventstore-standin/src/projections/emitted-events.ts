import { randomUUID } from 'node:crypto';
import { AllCursor } from '../grpc/all-cursor.js';
import type { LogEvent } from '../log/record.js';
import type { EventStore } from '../store/event-store.js';
import type { ProposedEvent } from '../store/types.js';
import type { ProjectionStamp } from './by-category.js';
import type { EmittedEvent, EventEnvelopeInput } from './js-runtime.js';
import { PROJECTION_CHECKPOINT } from './projection-checkpoint.js';

/** EventStoreDB's `ProjectionsSubsystem.VERSION`, the last part of `$v`. */
const PROJECTIONS_SUBSYSTEM_VERSION = 4;
/** Keys of the checkpoint tag: a query's own metadata cannot override them. */
const TAG_KEYS = new Set(['$v', '$c', '$p', '$causedBy', '$correlationId']);

export function versionTag(stamp: ProjectionStamp): string {
  return `${stamp.projectionId}:${stamp.epoch}:${stamp.version}:${PROJECTIONS_SUBSYSTEM_VERSION}`;
}

/**
 * The event to append for what a handler emitted while at `source` (the event of `$all` being
 * handled; `envelope` is what the handler saw, the link's target when it came through a link).
 * Stamped as EventStoreDB stamps emitted events: the checkpoint tag (`$v`, `$c`, `$p`), the
 * query's own metadata, `$causedBy` (the handled event's id) and its `$correlationId`.
 * `linkTo` writes a `$>` event whose data is `<revision>@<stream>`, not JSON, as on EventStoreDB.
 */
export function emittedEventFor(
  emitted: EmittedEvent,
  source: LogEvent,
  envelope: EventEnvelopeInput,
  stamp: ProjectionStamp,
): ProposedEvent {
  const metadata: Record<string, unknown> = {
    $v: versionTag(stamp),
    $c: source.commit,
    $p: source.position,
  };
  for (const [key, value] of Object.entries(emitted.metadata ?? {})) {
    if (!TAG_KEYS.has(key)) metadata[key] = value;
  }
  metadata.$causedBy = envelope.eventId;
  const correlationId = correlationIdOf(envelope.metadataRaw);
  if (correlationId !== undefined) metadata.$correlationId = correlationId;
  const link = emitted.kind === 'link';
  return {
    id: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'),
    type: link ? '$>' : emitted.type,
    contentType: link ? 'application/octet-stream' : 'application/json',
    data: Buffer.from(link ? emitted.target : emitted.data, 'utf8'),
    metadata: Buffer.from(JSON.stringify(metadata), 'utf8'),
  };
}

function correlationIdOf(metadataRaw: string): string | undefined {
  if (metadataRaw.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(metadataRaw);
    if (parsed === null || typeof parsed !== 'object') return undefined;
    const value = (parsed as Record<string, unknown>).$correlationId;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The events projection `projectionId` already emitted for source events at or after `from`:
 * source position (`$p`) → how many. After a restart the projection replays from its checkpoint;
 * these are skipped, so nothing is written twice. Emitted events are appended one append each, in
 * the order they were emitted, and recovery keeps a prefix of the log, so the ones present for a
 * source are always the first ones it emits.
 */
export function alreadyEmitted(
  store: EventStore,
  projectionId: number,
  from: number,
): Map<number, number> {
  const written = new Map<number, number>();
  const marker = Buffer.from(`"$v":"${projectionId}:`, 'utf8');
  const cursor = new AllCursor(store, from);
  for (const event of cursor.eventsBefore(store.committedEnd)) {
    if (!event.metadata.includes(marker)) continue;
    const source = emittedFrom(event, projectionId);
    if (source !== undefined) written.set(source, (written.get(source) ?? 0) + 1);
  }
  return written;
}

function emittedFrom(event: LogEvent, projectionId: number): number | undefined {
  if (event.type === PROJECTION_CHECKPOINT) return undefined;
  try {
    const parsed = JSON.parse(event.metadata.toString('utf8')) as Record<string, unknown>;
    const { $v: version, $p: position } = parsed;
    if (typeof version !== 'string' || !version.startsWith(`${projectionId}:`)) return undefined;
    return typeof position === 'number' ? position : undefined;
  } catch {
    return undefined;
  }
}
