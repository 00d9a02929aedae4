import type { Timestamp } from 'bson';
import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import type { StoreEvent } from '../storage/store.js';
import type { ClusterClock } from './cluster-clock.js';

/** One recorded change, in the order writes happened. */
export interface ChangeRecord {
  seq: number;
  clusterTime: Timestamp;
  wallTime: Date;
  operationType: 'insert' | 'update' | 'replace' | 'delete' | 'drop' | 'rename' | 'dropDatabase';
  /** For rename: the new namespace. */
  to?: { db: string; coll: string };
  db: string;
  coll?: string;
  documentKey?: Document;
  fullDocument?: Document;
  updateDescription?: Document;
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
    if (
      event.kind === 'createCollection' ||
      event.kind === 'createIndex' ||
      event.kind === 'dropIndex'
    ) {
      return; // DDL events appear in change streams only with showExpandedEvents, not supported here
    }
    const base = { seq: this.nextSeq++, clusterTime: this.clock.tick(), wallTime: new Date() };
    let rec: ChangeRecord;
    switch (event.kind) {
      case 'insert':
        rec = {
          ...base,
          operationType: 'insert',
          db: event.collection.db,
          coll: event.collection.name,
          documentKey: { _id: event.after._id },
          fullDocument: event.after,
        };
        break;
      case 'update':
      case 'replace':
        rec = {
          ...base,
          operationType: event.kind,
          db: event.collection.db,
          coll: event.collection.name,
          documentKey: { _id: event.after._id },
          fullDocument: event.after,
          ...(event.kind === 'update'
            ? { updateDescription: describeUpdate(event.before, event.after) }
            : {}),
        };
        break;
      case 'delete':
        rec = {
          ...base,
          operationType: 'delete',
          db: event.collection.db,
          coll: event.collection.name,
          documentKey: { _id: event.before._id },
        };
        break;
      case 'drop':
        rec = { ...base, operationType: 'drop', db: event.db, coll: event.coll };
        break;
      case 'dropDatabase':
        rec = { ...base, operationType: 'dropDatabase', db: event.db };
        break;
      case 'rename':
        rec = {
          ...base,
          operationType: 'rename',
          db: event.db,
          coll: event.coll,
          to: { db: event.toDb, coll: event.to },
        };
        break;
      default:
        return;
    }
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

/**
 * `updateDescription` from the old and new document: changed fields, descending into
 * subdocuments present on both sides so nested changes are reported as dotted paths
 * (`balance.amount`), as mongod reports a `$set` on a dotted path.
 */
function describeUpdate(before: Document, after: Document): Document {
  const updatedFields: Document = {};
  const removedFields: string[] = [];
  const walk = (a: Document, b: Document, prefix: string) => {
    for (const [key, value] of Object.entries(b)) {
      const old = a[key];
      if (key in a && isSubdocument(old) && isSubdocument(value))
        walk(old, value, `${prefix}${key}.`);
      else if (!(key in a) || !sameValue(old, value)) updatedFields[`${prefix}${key}`] = value;
    }
    for (const key of Object.keys(a)) if (!(key in b)) removedFields.push(`${prefix}${key}`);
  };
  walk(before, after, '');
  return { updatedFields, removedFields, truncatedArrays: [] };
}

function isSubdocument(value: unknown): value is Document {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    bsonType(value) === undefined &&
    !(value instanceof Date) &&
    !(value instanceof RegExp) &&
    !ArrayBuffer.isView(value)
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return (
    JSON.stringify(a) === JSON.stringify(b) && typeof a === typeof b && bsonType(a) === bsonType(b)
  );
}

function bsonType(v: unknown): string | undefined {
  return v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
}
