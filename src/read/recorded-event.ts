import type { AllStreamJSONRecordedEvent, EventStoreDBClient } from '@eventstore/db-client';
import {
  type EventMetadata,
  type RecordedEvent,
  type StoredEvent,
  storedEventOf,
} from '../events/recorded-event.js';
import { upcast } from '../events/upcast.js';
import { emptyStream, UpcastError } from '../events/upcaster.js';
import { upcastingReaderFor } from '../events/upcasting-reader.js';

export { occurredAt, type RecordedEvent } from '../events/recorded-event.js';

/**
 * A Tally event read from $all, upcast to the current shape of its type (src/events/registry.ts),
 * for the projections and the process manager. A legacy event whose upcaster needs the stream
 * before it gets it from the shared UpcastingReader, which reads the stream if it must.
 */
export async function upcastRecordedEvent(
  client: EventStoreDBClient,
  event: AllStreamJSONRecordedEvent,
): Promise<RecordedEvent> {
  const stored = storedEventOf(event);
  try {
    return await upcastingReaderFor(client).upcast(stored);
  } catch (error) {
    if (!(error instanceof UpcastError)) throw error;
    return unreadable(stored, error);
  }
}

/**
 * An event that cannot be brought to today's shape (a legacy float that is not whole minor
 * units): its envelope reads, its data throws the error naming it. A consumer that needs the
 * data fails on it and parks it (src/read/parking), so it is reported and the others move on;
 * nothing ever sees a guessed or rounded amount.
 */
function unreadable(stored: StoredEvent, error: UpcastError): RecordedEvent {
  return {
    type: stored.type,
    get data(): never {
      throw error;
    },
    metadata: (stored.metadata ?? {}) as EventMetadata,
    streamId: stored.streamId,
    revision: stored.revision,
    position: stored.position ?? { commit: 0n, prepare: 0n },
    created: stored.created,
    id: stored.id,
  };
}

/**
 * The same, for a caller without the client: correct for every event whose upcasting needs
 * nothing but itself; one that needs its stream (a v1 deposit) is refused with an UpcastError.
 */
export function toRecordedEvent(event: AllStreamJSONRecordedEvent): RecordedEvent {
  const stored = storedEventOf(event);
  return upcast(stored, emptyStream(stored.streamId));
}
