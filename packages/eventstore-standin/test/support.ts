import { randomUUID } from 'node:crypto';
import {
  type AllStreamSubscription,
  EventStoreDBClient,
  jsonEvent,
  type ResolvedEvent,
  type StreamSubscription,
} from '@eventstore/db-client';
import { inject } from 'vitest';

/** A client for the store the global setup started (or the real server EVENTSTORE_URL names). */
export function sharedClient(): EventStoreDBClient {
  return EventStoreDBClient.connectionString(inject('eventStoreUrl'));
}

/** A stream name no other test uses. */
export function freshStream(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

export function event(type: string, data: Record<string, unknown> = {}, id?: string) {
  return jsonEvent(id ? { type, data, id } : { type, data });
}

export async function readAllOf(iterable: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const events: ResolvedEvent[] = [];
  for await (const resolved of iterable) events.push(resolved);
  return events;
}

/** Collects a subscription's events until `done` says stop; resolves with what it saw. */
export function collect(
  subscription: StreamSubscription | AllStreamSubscription,
  done: (events: ResolvedEvent[]) => boolean,
): Promise<ResolvedEvent[]> {
  return (async () => {
    const events: ResolvedEvent[] = [];
    for await (const resolved of subscription as AsyncIterable<ResolvedEvent>) {
      events.push(resolved);
      if (done(events)) break;
    }
    await subscription.unsubscribe();
    return events;
  })();
}

/** Resolves when the subscription emits `caughtUp`. */
export function caughtUp(subscription: StreamSubscription | AllStreamSubscription): Promise<void> {
  return new Promise((resolve) => subscription.once('caughtUp', () => resolve()));
}
