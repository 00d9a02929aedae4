import type { Position } from '@eventstore/db-client';
import type { Collection, Db } from 'mongodb';
import type { CheckpointDocument } from './documents.js';
import { positionFromDocument, toLong } from './position.js';

/** Where each subscription (projection or process manager) has got to in $all. */
export class CheckpointStore {
  constructor(private readonly collection: Collection<CheckpointDocument>) {}

  /** The read-model database the checkpoints live in; parked events are kept beside them. */
  get database(): Db {
    return this.collection.db;
  }

  async load(name: string): Promise<Position | undefined> {
    const doc = await this.collection.findOne({ _id: name });
    return doc ? positionFromDocument(doc) : undefined;
  }

  /**
   * Saves with multi-document updates (each matches one _id) because the driver never retries
   * those: a save whose connection broke when the server restarted fails, instead of landing on
   * the restarted server, where it would vouch for documents that were lost with the old one.
   */
  async save(names: readonly string[], position: Position, now: Date): Promise<void> {
    await this.collection.bulkWrite(
      names.map((name) => ({
        updateMany: {
          filter: { _id: name },
          update: {
            $set: {
              commit: toLong(position.commit),
              prepare: toLong(position.prepare),
              updatedAt: now,
            },
          },
          upsert: true,
        },
      })),
    );
  }
}
