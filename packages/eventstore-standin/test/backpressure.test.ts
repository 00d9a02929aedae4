import { EventStoreDBClient, START } from '@eventstore/db-client';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type EmbeddedEventStore, startEmbeddedEventStore } from '../src/index.js';
import { event } from './support.js';

let store: EmbeddedEventStore;
let client: EventStoreDBClient;
beforeAll(async () => {
  store = await startEmbeddedEventStore();
  client = EventStoreDBClient.connectionString(store.url);
});
afterAll(async () => {
  await client.dispose();
  await store.close();
});

it('holds back a slow subscriber instead of buffering for it, and drops nothing', async () => {
  const total = 3000;
  const blob = 'x'.repeat(4000);
  const subscription = client.subscribeToAll({ fromPosition: START });
  // Nobody reads the subscription for now: the client's buffers fill, then HTTP/2 flow control.
  await new Promise((resolve) => subscription.once('confirmation', resolve));
  for (let i = 0; i < total; i += 100) {
    await client.appendToStream(
      'firehose',
      Array.from({ length: 100 }, (_, j) => event('Big', { i: i + j, blob })),
    );
  }
  await vi.waitFor(() => expect(store.subscriptions()[0]?.blocked).toBe(true));
  const [progress] = store.subscriptions();
  // The server stopped after a bounded window (~12 MB were appended): at most 256 responses held.
  expect(progress!.delivered).toBeLessThan(total / 4);
  expect(progress!.buffered).toBeLessThanOrEqual(256);

  // Once the consumer reads again, everything arrives, in order.
  let next = 0;
  for await (const resolved of subscription) {
    if (resolved.event?.streamId !== 'firehose') continue; // the $settings system event
    expect((resolved.event!.data as { i: number }).i).toBe(next++);
    if (next === total) break;
  }
  await subscription.unsubscribe();
  expect(next).toBe(total);
});
