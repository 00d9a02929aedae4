import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { ReadModels } from '../read-models.js';
import type { RecordedEvent } from '../recorded-event.js';

/**
 * A read model: declarative handlers that turn one event into guarded MongoDB writes.
 * Every write is idempotent: inserts use $setOnInsert on a deterministic _id, and updates
 * match only documents whose revision is below the event's.
 */
export interface Projection<Doc extends Document = Document> {
  readonly name: keyof Omit<ReadModels, 'checkpoints'>;
  project(event: RecordedEvent): AnyBulkWriteOperation<Doc>[];
}
