import { randomUUID } from 'node:crypto';
import { Long, MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';
import { CheckpointAheadError } from '../../src/read/checkpointed-subscription.js';
import { readModelProjections } from '../../src/read/projections/index.js';
import { startTestTally } from '../support/test-tally.js';

describe('a projector whose checkpoint is ahead of the event store', () => {
  // On the main thread, and on its own thread, which reports the same error from there.
  it.each([{ projectorThread: false }, { projectorThread: true }])(
    'refuses to start, with an error saying what happened, instead of skipping events (%o)',
    async ({ projectorThread }) => {
      const mongoDb = `test_ahead_${randomUUID().slice(0, 8)}`;
      const mongo = new MongoClient(inject('mongoUrl'));
      await mongo.connect();
      // Read models left over from another event store, far beyond anything this one holds.
      const far = Long.fromString('9000000000000000000');
      await mongo
        .db(mongoDb)
        .collection<{ _id: string }>('checkpoints')
        .insertMany(
          // Every projection's checkpoint, so the lowest of them is the far one.
          readModelProjections.map(({ name }) => ({
            _id: `projection:${name}`,
            commit: far,
            prepare: far,
            updatedAt: new Date(),
          })),
        );
      const started = startTestTally({ mongoDb, projectorThread });
      await expect(started).rejects.toBeInstanceOf(CheckpointAheadError);
      await expect(started).rejects.toThrow(
        /is ahead of the event store's last position.*Drop the read models/,
      );
      await mongo.close();
    },
  );
});
