import type { Position } from '@eventstore/db-client';
import type { EventMetadata } from '../write/envelope.js';

export type { EventMetadata } from '../write/envelope.js';

/**
 * An event exactly as EventStoreDB holds it, before upcasting: what every reader gets back from
 * `readStream`, `readAll` or a subscription. Its data may be of any shape Tally ever wrote (or
 * imported): read it only through `upcast` (upcast.ts).
 */
export interface StoredEvent {
  streamId: string;
  revision: number;
  type: string;
  data: unknown;
  /** Tally's envelope; an imported legacy event may have none, or only part of it. */
  metadata: Partial<EventMetadata> | undefined;
  /** Absent only from reads that do not report it. */
  position?: Position;
  /** Server time of the append. */
  created: Date;
  /** The event id (a UUID), derived from the command id for Tally's own events. */
  id: string;
}

/**
 * A Tally event as every reader sees it: upcast to the current shape of its type, with its
 * envelope. Nothing downstream of the readers ever sees an older shape.
 */
export interface RecordedEvent<
  Event extends { type: string; data: unknown } = { type: string; data: unknown },
> {
  /** The current type (a renamed legacy type reads as its successor). */
  type: Event['type'];
  /** The data in the current shape of `type`. */
  data: Event['data'];
  metadata: EventMetadata;
  streamId: string;
  revision: number;
  position: Position;
  /** Server time of the append; occurredAt in the metadata is the command's own time. */
  created: Date;
  /** How the event was written: its stored type and schema version, before upcasting. */
  written?: { type: string; schemaVersion: number };
  /** The event id, when the reader knows it. */
  id?: string;
}

/**
 * The correlation id an event belongs to. An imported legacy event has none: it is a story of
 * its own, under its event id.
 */
export function correlationIdOf(event: { metadata?: Partial<EventMetadata>; id?: string }): string {
  return event.metadata?.correlationId ?? event.id ?? 'unknown';
}

/** The time the event happened in the domain: the command's occurredAt, else the server's time. */
export function occurredAt(event: { metadata?: Partial<EventMetadata>; created: Date }): Date {
  const stamped = event.metadata?.occurredAt;
  return stamped ? new Date(stamped) : event.created;
}

/** The stored form of an event read through @eventstore/db-client (stream or $all read). */
export function storedEventOf(event: {
  streamId: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
  position?: Position;
  created: Date;
  id: string;
}): StoredEvent {
  const metadata = event.metadata;
  const stored: StoredEvent = {
    streamId: event.streamId,
    revision: Number(event.revision),
    type: event.type,
    data: event.data,
    metadata:
      metadata && typeof metadata === 'object' && !Array.isArray(metadata)
        ? (metadata as Partial<EventMetadata>)
        : undefined,
    created: event.created,
    id: event.id,
  };
  if (event.position) stored.position = event.position;
  return stored;
}
