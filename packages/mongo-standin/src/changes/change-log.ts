import type { Binary, Timestamp } from 'bson';
import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import type { IndexSpec } from '../data/secondary-index.js';
import type { StoreEvent } from '../storage/store.js';
import type { ClusterClock } from './cluster-clock.js';
import { describeUpdate, type UpdateDescription } from './update-description.js';

export type OperationType =
  | 'insert'
  | 'update'
  | 'replace'
  | 'delete'
  | 'drop'
  | 'rename'
  | 'dropDatabase'
  | 'create'
  | 'createIndexes'
  | 'dropIndexes'
  | 'modify';

/** DDL events that mongod shows only to streams opened with `showExpandedEvents: true`. */
export const EXPANDED_ONLY: ReadonlySet<OperationType> = new Set([
  'create',
  'createIndexes',
  'dropIndexes',
  'modify',
]);

/** One recorded change, in the order writes happened (an oplog entry, for change streams). */
export interface ChangeRecord {
  seq: number;
  clusterTime: Timestamp;
  wallTime: Date;
  operationType: OperationType;
  db: string;
  coll?: string;
  /** The collection's UUID (every event but dropDatabase), shown with showExpandedEvents. */
  collectionUUID?: Binary;
  /** For rename: the new namespace. */
  to?: { db: string; coll: string };
  documentKey?: Document;
  /**
   * insert and replace: the document written. update: the post-image, kept only when the
   * collection had changeStreamPreAndPostImages enabled at the time of the write.
   */
  fullDocument?: Document;
  /** update, replace, delete: the document before, kept only while pre-images were enabled. */
  preImage?: Document;
  updateDescription?: UpdateDescription;
  /** DDL events (and rename) with showExpandedEvents. */
  operationDescription?: Document;
  /** modify: the collection options before collMod. */
  stateBeforeChange?: Document;
}

/**
 * A bounded history of changes (MongoDB's oplog, for change streams) plus waiters that
 * `getMore` on a change stream parks on. Resuming from before the oldest kept record is
 * ChangeStreamHistoryLost (286), as in MongoDB when the oplog has rolled over.
 */
export class ChangeLog {
  private readonly records: ChangeRecord[] = [];
  private head = 0; // index of the oldest live record in `records`
  private nextSeq = 1;
  private waiters = new Set<() => void>();
  /** The newest seq change streams may show; unset, they show every change at once. */
  private durableSeq: number | undefined;

  constructor(
    private readonly clock: ClusterClock,
    private readonly capacity = 100_000,
  ) {}

  /**
   * After a restart from disk: continue numbering where the previous run stopped, with an empty
   * history, so older tokens get ChangeStreamHistoryLost rather than pointing at other changes.
   */
  continueAfter(seq: number): void {
    if (this.records.length === 0 && seq >= this.nextSeq) this.nextSeq = seq + 1;
  }

  /**
   * With a data directory, change streams show a change only once it is on disk, as mongod's
   * show only majority-committed ones: a watcher never sees a change that a crash then undoes.
   */
  showOnlyDurable(seq: number): void {
    this.durableSeq = seq;
  }

  /** Every change up to `seq` is on disk: wake the change streams waiting for it. */
  markDurable(seq: number): void {
    if (this.durableSeq === undefined || seq <= this.durableSeq) return;
    this.durableSeq = seq;
    this.wakeAll();
  }

  /** The newest seq change streams may show. */
  get visibleSeq(): number {
    return this.durableSeq ?? this.lastSeq;
  }

  /** The seq of the newest record, 0 when none was written yet. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get oldestSeq(): number {
    return this.records[this.head]?.seq ?? this.nextSeq;
  }

  record(event: StoreEvent): void {
    const shape = recordShape(event);
    if (!shape) return;
    const rec: ChangeRecord = {
      seq: this.nextSeq++,
      clusterTime: this.clock.tick(),
      wallTime: new Date(),
      ...shape,
    };
    this.records.push(rec);
    if (this.records.length - this.head > this.capacity) this.head += 1;
    if (this.head > 4096 && this.head * 2 > this.records.length) {
      this.records.splice(0, this.head);
      this.head = 0;
    }
    if (this.durableSeq === undefined) this.wakeAll();
  }

  /**
   * Visible records with seq > afterSeq, oldest first; throws 286 when some were already
   * dropped.
   */
  since(afterSeq: number, limit: number): ChangeRecord[] {
    if (afterSeq + 1 < this.oldestSeq && afterSeq < this.lastSeq) {
      throw new MongoCommandError(
        286,
        'Resume of change stream was not possible, as the resume point may no longer be in the oplog.',
        'ChangeStreamHistoryLost',
        { errorLabels: ['NonResumableChangeStreamError'] },
      );
    }
    const start = this.head + Math.max(0, afterSeq + 1 - this.oldestSeq);
    const visible = Math.max(0, this.visibleSeq - Math.max(afterSeq, this.oldestSeq - 1));
    return this.records.slice(start, start + Math.min(limit, visible));
  }

  /** The seq of the last record written strictly before `time`. */
  seqBefore(time: Timestamp): number {
    let seq = this.oldestSeq - 1;
    for (let i = this.head; i < this.records.length; i++) {
      const rec = this.records[i]!;
      if (rec.clusterTime.compare(time) >= 0) break;
      seq = rec.seq;
    }
    return seq;
  }

  /** Resolves on the next record or after `ms`, whichever comes first; never blocks the loop. */
  waitForNext(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }

  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }
}

/** What a store event becomes in the change history (without its position and time). */
function recordShape(
  event: StoreEvent,
): Omit<ChangeRecord, 'seq' | 'clusterTime' | 'wallTime'> | undefined {
  switch (event.kind) {
    case 'insert': {
      const c = event.collection;
      return {
        operationType: 'insert',
        db: c.db,
        coll: c.name,
        collectionUUID: c.uuid,
        documentKey: { _id: event.after._id },
        fullDocument: event.after,
      };
    }
    case 'update':
    case 'replace': {
      const c = event.collection;
      const images = c.recordsImages;
      return {
        operationType: event.kind,
        db: c.db,
        coll: c.name,
        collectionUUID: c.uuid,
        documentKey: { _id: event.after._id },
        ...(event.kind === 'replace' || images ? { fullDocument: event.after } : {}),
        ...(images ? { preImage: event.before } : {}),
        ...(event.kind === 'update'
          ? { updateDescription: describeUpdate(event.before, event.after) }
          : {}),
      };
    }
    case 'delete': {
      const c = event.collection;
      return {
        operationType: 'delete',
        db: c.db,
        coll: c.name,
        collectionUUID: c.uuid,
        documentKey: { _id: event.before._id },
        ...(c.recordsImages ? { preImage: event.before } : {}),
      };
    }
    case 'createCollection': {
      const c = event.collection;
      return {
        operationType: 'create',
        db: c.db,
        coll: c.name,
        collectionUUID: c.uuid,
        // mongod's create oplog entry: the collection's options, then its _id index.
        operationDescription: { ...c.options, idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } },
      };
    }
    case 'createIndex':
    case 'dropIndex': {
      const c = event.collection;
      return {
        operationType: event.kind === 'createIndex' ? 'createIndexes' : 'dropIndexes',
        db: c.db,
        coll: c.name,
        collectionUUID: c.uuid,
        operationDescription: { indexes: [indexDescription(event.spec)] },
      };
    }
    case 'modify': {
      const c = event.collection;
      return {
        operationType: 'modify',
        db: c.db,
        coll: c.name,
        collectionUUID: c.uuid,
        operationDescription: { ...event.changes },
        stateBeforeChange: { collectionOptions: { uuid: c.uuid, ...event.before } },
      };
    }
    case 'drop':
      return { operationType: 'drop', db: event.db, coll: event.coll, collectionUUID: event.uuid };
    case 'dropDatabase':
      return { operationType: 'dropDatabase', db: event.db };
    case 'rename': {
      const to = { db: event.toDb, coll: event.to };
      return {
        operationType: 'rename',
        db: event.db,
        coll: event.coll,
        collectionUUID: event.uuid,
        to,
        operationDescription: {
          to,
          ...(event.droppedTarget ? { dropTarget: event.droppedTarget } : {}),
        },
      };
    }
  }
}

/** An index as mongod's DDL events describe it: `{v: 2, key, name, ...options}`. */
function indexDescription(spec: IndexSpec): Document {
  const { key, name, ...options } = spec;
  return { v: 2, key, name, ...options };
}
