import type { Position } from '@eventstore/db-client';
import type { Collection } from 'mongodb';
import type { CheckpointDocument } from './documents.js';
import { positionFromDocument, toLong } from './position.js';

/** Where each subscription (projection or process manager) has got to in $all. */
export class CheckpointStore {
  constructor(private readonly collection: Collection<CheckpointDocument>) {}

  async load(name: string): Promise<Position | undefined> {
    const doc = await this.collection.findOne({ _id: name });
    return doc ? positionFromDocument(doc) : undefined;
  }

  async save(names: readonly string[], position: Position, now: Date): Promise<void> {
    await this.collection.bulkWrite(
      names.map((name) => ({
        updateOne: {
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
