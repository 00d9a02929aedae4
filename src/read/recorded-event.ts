import type { AllStreamJSONRecordedEvent, EventStoreDBClient } from '@eventstore/db-client';
import { type RecordedEvent, storedEventOf } from '../events/recorded-event.js';
import { upcast } from '../events/upcast.js';
import { emptyStream } from '../events/upcaster.js';
import { upcastingReaderFor } from '../events/upcasting-reader.js';

export { occurredAt, type RecordedEvent } from '../events/recorded-event.js';

/**
 * A Tally event read from $all, upcast to the current shape of its type (src/events/registry.ts),
 * for the projections and the process manager. A legacy event whose upcaster needs the stream
 * before it gets it from the shared UpcastingReader, which reads the stream if it must.
 */
export function upcastRecordedEvent(
  client: EventStoreDBClient,
  event: AllStreamJSONRecordedEvent,
): Promise<RecordedEvent> {
  return upcastingReaderFor(client).upcast(storedEventOf(event));
}

/**
 * The same, for a caller without the client: correct for every event whose upcasting needs
 * nothing but itself; one that needs its stream (a v1 deposit) is refused with an UpcastError.
 */
export function toRecordedEvent(event: AllStreamJSONRecordedEvent): RecordedEvent {
  const stored = storedEventOf(event);
  return upcast(stored, emptyStream(stored.streamId));
}
