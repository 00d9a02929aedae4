import { type EventStoreDBClient, FORWARDS, type JSONRecordedEvent } from '@eventstore/db-client';
import { storedEventOf } from '../../events/recorded-event.js';
import { upcastingReaderFor } from '../../events/upcasting-reader.js';
import type { RecordedEvent } from '../recorded-event.js';
import type { ParkedEvent, ParkedEventStore } from './parked-events.js';

/** A consumer that can apply one event again, outside its subscription. */
export interface ParkedEventConsumer {
  readonly name: string;
  /** Applies the event once, through the same handler as the subscription; throws on failure. */
  replay(event: RecordedEvent): Promise<void>;
}

export type ReplayOutcome =
  | { status: 'replayed'; event: ParkedEvent }
  | { status: 'failed'; event: ParkedEvent; error: unknown }
  | { status: 'not-found'; id: string }
  | { status: 'no-consumer'; event: ParkedEvent };

/**
 * Re-applies a parked event through the consumer that parked it, read afresh from the event
 * store, and removes it once applied. On failure it stays parked with the new error.
 * Consumers are idempotent, so replaying an event that was in fact applied meanwhile is harmless.
 */
export async function replayParked(
  deps: {
    eventStore: EventStoreDBClient;
    parked: ParkedEventStore;
    consumers: readonly (ParkedEventConsumer | undefined)[];
  },
  id: string,
): Promise<ReplayOutcome> {
  const event = await deps.parked.get(id);
  if (!event) return { status: 'not-found', id };
  const consumer = deps.consumers.find((c) => c?.name === event.consumer);
  if (!consumer) return { status: 'no-consumer', event };
  try {
    await consumer.replay(await readEvent(deps.eventStore, event));
  } catch (error) {
    await deps.parked.recordFailedReplay(id, error);
    return { status: 'failed', event, error };
  }
  await deps.parked.remove(id);
  return { status: 'replayed', event };
}

async function readEvent(client: EventStoreDBClient, parked: ParkedEvent): Promise<RecordedEvent> {
  let found: JSONRecordedEvent | undefined;
  // Read to the end (one event): a read left early keeps its gRPC call paused.
  for await (const resolved of client.readStream(parked.streamId, {
    direction: FORWARDS,
    fromRevision: BigInt(parked.revision),
    maxCount: 1,
  })) {
    if (resolved.event?.isJson) found = resolved.event as JSONRecordedEvent;
  }
  if (!found || Number(found.revision) !== parked.revision) {
    throw new Error(`${parked.streamId}@${parked.revision} is no longer in the event store`);
  }
  // Upcast like every reader, so a parked legacy event replays in today's shape.
  const event = await upcastingReaderFor(client).upcast(storedEventOf(found));
  return { ...event, position: found.position ?? parked.position };
}
