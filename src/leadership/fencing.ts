import type { Position } from '@eventstore/db-client';
import type { AnyBulkWriteOperation, Collection, Document, Filter, UpdateFilter } from 'mongodb';
import { CheckpointStore } from '../read/checkpoint-store.js';
import type { CheckpointDocument } from '../read/documents.js';
import { toLong } from '../read/position.js';
import { type Projection, readModelProjections } from '../read/projections/index.js';

/** The field every fenced write stamps with the writer's term. */
export const FENCE_FIELD = '_fence';

/** Matches documents no newer term has written: an older leader's write matches nothing. */
export function fenceFilter(token: number): Filter<Document> {
  return { $or: [{ [FENCE_FIELD]: { $lte: token } }, { [FENCE_FIELD]: { $exists: false } }] };
}

/**
 * Adds the fence to one write: the filter also requires that no later term wrote the document,
 * and the update stamps this term. A plain update from a deposed leader then matches nothing;
 * an upsert from one collides with the existing `_id` and fails. Either way, nothing lands.
 */
export function fenceOperation<Doc extends Document>(
  operation: AnyBulkWriteOperation<Doc>,
  token: number,
): AnyBulkWriteOperation<Doc> {
  if ('updateOne' in operation) {
    const { filter, update } = operation.updateOne;
    return {
      updateOne: {
        ...operation.updateOne,
        filter: { $and: [filter, fenceFilter(token)] } as Filter<Doc>,
        update: stamp(update as UpdateFilter<Doc>, token),
      },
    };
  }
  if ('updateMany' in operation) {
    const { filter, update } = operation.updateMany;
    return {
      updateMany: {
        ...operation.updateMany,
        filter: { $and: [filter, fenceFilter(token)] } as Filter<Doc>,
        update: stamp(update as UpdateFilter<Doc>, token),
      },
    };
  }
  // Inserts carry deterministic ids: a second insert is a duplicate, fenced or not.
  if ('insertOne' in operation) {
    return {
      insertOne: { document: { ...operation.insertOne.document, [FENCE_FIELD]: token } },
    } as AnyBulkWriteOperation<Doc>;
  }
  throw new Error(`A fenced projection cannot write ${Object.keys(operation)[0]}`);
}

function stamp<Doc extends Document>(update: UpdateFilter<Doc>, token: number): UpdateFilter<Doc> {
  if (Array.isArray(update)) {
    throw new Error('A fenced projection cannot write an update pipeline');
  }
  const set = (update.$set ?? {}) as Record<string, unknown>;
  return { ...update, $set: { ...set, [FENCE_FIELD]: token } } as unknown as UpdateFilter<Doc>;
}

/** The projection, with every write it makes fenced by `token`. */
export function fencedProjection(projection: Projection, token: number): Projection {
  return {
    name: projection.name,
    project: (event) => projection.project(event).map((op) => fenceOperation(op, token)),
  };
}

/**
 * What a leader's read-model projector writes with: every projection and its checkpoints fenced
 * by the term's token. The in-process projector and the projector's thread both take these.
 */
export function fencedConsumers(
  checkpoints: Collection<CheckpointDocument>,
  token: number,
): { projections: Projection[]; checkpoints: FencedCheckpointStore } {
  return {
    projections: readModelProjections.map((p) => fencedProjection(p, token)),
    checkpoints: new FencedCheckpointStore(checkpoints, token),
  };
}

/** Checkpoints written only by the current term: a deposed leader's save fails. */
export class FencedCheckpointStore extends CheckpointStore {
  readonly #collection: Collection<CheckpointDocument>;

  constructor(
    collection: Collection<CheckpointDocument>,
    readonly token: number,
  ) {
    super(collection);
    this.#collection = collection;
  }

  override async save(names: readonly string[], position: Position, now: Date): Promise<void> {
    await this.#collection.bulkWrite(
      names.map((name) => ({
        // Multi-document updates, as in CheckpointStore: the driver never retries them.
        updateMany: {
          filter: { $and: [{ _id: name }, fenceFilter(this.token)] } as Filter<CheckpointDocument>,
          update: {
            $set: {
              commit: toLong(position.commit),
              prepare: toLong(position.prepare),
              updatedAt: now,
              [FENCE_FIELD]: this.token,
            },
          },
          upsert: true,
        },
      })),
    );
  }
}
