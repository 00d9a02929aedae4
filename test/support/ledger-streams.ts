import { randomUUID } from 'node:crypto';
import type { EventStoreDBClient } from '@eventstore/db-client';
import { type RecordedEvent, toRecordedEvent } from '../../src/read/recorded-event.js';
import type { Ledger } from '../../src/write/ledger.js';
import { tellerRequest } from './command-request.js';

/** Every JSON event of one stream, oldest first, as the read side sees them. */
export async function eventsOf(
  eventStore: EventStoreDBClient,
  stream: string,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const resolved of eventStore.readStream(stream)) {
    if (resolved.event?.isJson) events.push(toRecordedEvent(resolved.event as never));
  }
  return events;
}

/** Opens a USD account for a new owner straight through `ledger`; returns its id. */
export async function openAccountOn(ledger: Ledger, initialDeposit?: string): Promise<string> {
  const { account } = await ledger.openAccount(
    { ownerId: randomUUID(), currency: 'USD', ...(initialDeposit ? { initialDeposit } : {}) },
    tellerRequest(),
  );
  return account.id;
}
