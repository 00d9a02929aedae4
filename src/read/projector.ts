import { type EventStoreDBClient, streamNameFilter } from '@eventstore/db-client';
import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import { FencedCheckpointStore } from '../leadership/fencing.js';
import type { Logger } from '../logger.js';
import { ProjectionSwitching } from '../rebuild/projection-switching.js';
import { SwitchingProjector } from '../rebuild/switching-projector.js';
import { CheckpointStore } from './checkpoint-store.js';
import type { CheckpointedSubscription } from './checkpointed-subscription.js';
import { type Projection, readModelProjections } from './projections/index.js';
import type { ReadModels } from './read-models.js';
import type { RecordedEvent } from './recorded-event.js';

/**
 * A projector as the rest of Tally uses it, on this thread (CheckpointedSubscription) or on its
 * own (projector-thread/threaded-projector.ts): its progress, which queries wait on, and its life.
 */
export type RunningProjector = Pick<CheckpointedSubscription, 'progress' | 'start' | 'stop'>;

/** Only Tally's own streams; system events never match these prefixes. */
export const TALLY_STREAM_PREFIXES = ['account-', 'transfer-'];

/**
 * Keeps the read models current: one $all subscription feeds every projection, so each
 * mutation's position is passed by all of them together, and each projection has its checkpoint.
 */
export function createProjector(
  client: EventStoreDBClient,
  models: ReadModels,
  logger: Logger,
  projections: readonly Projection[] = readModelProjections,
  /** A leader's are fenced (src/leadership/fencing.ts). */
  checkpoints: CheckpointStore = new CheckpointStore(models.checkpoints),
): CheckpointedSubscription {
  // Rebuilt copies are switched in between two batches, and a projection new to the ledger is
  // backfilled on its own and joins when caught up (src/rebuild, docs/operations.md).
  const switching = new ProjectionSwitching({
    client,
    db: models.checkpoints.db,
    projections,
    checkpoints,
    token: checkpoints instanceof FencedCheckpointStore ? checkpoints.token : 0,
    logger,
  });
  return new SwitchingProjector(
    [
      client,
      checkpoints,
      {
        name: 'read-models',
        checkpointNames: switching.checkpointNames,
        filter: streamNameFilter({ prefixes: TALLY_STREAM_PREFIXES }),
        // Projections are idempotent, so a crash may replay up to a second of events; saving the
        // checkpoint once a second instead of after every batch saves a write per batch.
        checkpointEveryMs: 1000,
        handleBatch: (events) =>
          switching.apply(events, (live) => applyBatch(models, live, events)),
      },
      logger,
    ],
    switching,
  );
}

/** One ordered bulkWrite per collection: order matters because an account is created before it changes. */
export async function applyBatch(
  models: ReadModels,
  projections: readonly Projection[],
  events: readonly RecordedEvent[],
): Promise<void> {
  await Promise.all(
    projections.map(async (projection) => {
      const operations: AnyBulkWriteOperation<Document>[] = events.flatMap((e) =>
        projection.project(e),
      );
      if (operations.length === 0) return;
      const collection = models[projection.name] as unknown as Collection<Document>;
      await collection.bulkWrite(operations, { ordered: true });
    }),
  );
}
