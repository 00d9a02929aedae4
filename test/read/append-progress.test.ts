import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent, streamNameFilter } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rootLogger } from '../../src/logger.js';
import { CheckpointStore } from '../../src/read/checkpoint-store.js';
import { CheckpointedSubscription } from '../../src/read/checkpointed-subscription.js';
import type { RecordedEvent } from '../../src/read/recorded-event.js';

let eventStore: EventStoreDBClient;
let mongo: MongoClient;
beforeAll(async () => {
  eventStore = EventStoreDBClient.connectionString(inject('eventStoreUrl'));
  mongo = await new MongoClient(inject('mongoUrl')).connect();
});
afterAll(async () => {
  await mongo?.close();
  await eventStore?.dispose();
});

describe('read-your-writes across the events of one append', () => {
  it('a wait on an append position is not released until its last event is applied', async () => {
    const prefix = `progress${randomUUID().slice(0, 8)}-`;
    const applied: string[] = [];
    let releaseSecond!: () => void;
    const secondMayApply = new Promise<void>((resolve) => {
      releaseSecond = resolve;
    });
    let firstApplied!: () => void;
    const firstDone = new Promise<void>((resolve) => {
      firstApplied = resolve;
    });
    const subscription = new CheckpointedSubscription(
      eventStore,
      new CheckpointStore(mongo.db(`test_${randomUUID().slice(0, 8)}`).collection('checkpoints')),
      {
        name: 'append-progress',
        checkpointNames: ['append-progress'],
        filter: streamNameFilter({ prefixes: [prefix] }),
        // One event per batch, so the append's two events are applied apart.
        maxBatchSize: 1,
        handleBatch: async (events: RecordedEvent[]) => {
          for (const event of events) {
            if (event.type === 'Second') await secondMayApply;
            applied.push(event.type);
            if (event.type === 'First') firstApplied();
          }
        },
      },
      rootLogger,
    );
    await subscription.start();
    try {
      // Two events in one append share a commit position, as the ledger's writes do.
      const stamp = (eventIndex: number) => ({ eventIndex, eventCount: 2 });
      const result = await eventStore.appendToStream(`${prefix}1`, [
        jsonEvent({ type: 'First', data: {}, metadata: stamp(0) }),
        jsonEvent({ type: 'Second', data: {}, metadata: stamp(1) }),
      ]);
      const position = result.position!.commit;
      const waited = subscription.progress.waitFor(position, 30_000);
      await firstDone;
      // The first event alone does not satisfy a wait on the append's position.
      expect(subscription.progress.reached).toBeLessThan(position);
      releaseSecond();
      expect(await waited).toBe(true);
      expect(applied).toEqual(['First', 'Second']);
    } finally {
      await subscription.stop();
    }
  });
});
