import type { AllStreamJSONRecordedEvent, Position } from '@eventstore/db-client';
import type { EventMetadata } from '../write/envelope.js';

/** A Tally event as read back from $all, with its envelope. */
export interface RecordedEvent<
  Event extends { type: string; data: unknown } = { type: string; data: unknown },
> {
  type: Event['type'];
  data: Event['data'];
  metadata: EventMetadata;
  streamId: string;
  revision: number;
  position: Position;
  /** Server time of the append; occurredAt in the metadata is the command's own time. */
  created: Date;
}

export function toRecordedEvent(event: AllStreamJSONRecordedEvent): RecordedEvent {
  return {
    type: event.type,
    data: event.data,
    metadata: event.metadata as unknown as EventMetadata,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: event.position,
    created: event.created,
  };
}

/** The time the event happened in the domain: the command's occurredAt, else the server's time. */
export function occurredAt(event: RecordedEvent): Date {
  const stamped = event.metadata?.occurredAt;
  return stamped ? new Date(stamped) : event.created;
}
