import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { Binary } from 'bson';
import type { Document } from '../data/bson-values.js';
import type { IndexSpec } from '../data/secondary-index.js';
import { createLogger } from '../logger.js';
import type { CollectionInit, CollectionOptions } from './collection.js';
import type { Durability } from './durability.js';
import { RecordWriter, readRecords, writeAndSync } from './record-file.js';
import type { Store, StoreEvent } from './store.js';
import { type ViewDefinition, type ViewEvent, viewsOf } from './view-catalog.js';

const log = createLogger('embedded-mongo-persistence');

const SNAPSHOT = 'snapshot.bin';
const JOURNAL = 'journal.bin';
const LOCK = 'LOCK';
const FLUSH_INTERVAL_MS = 100;
/** Directories opened by this process (the LOCK file's pid cannot tell two of ours apart). */
const OPEN_DIRS = new Set<string>();
const COMPACT_AT_JOURNAL_BYTES = 256 * 1024 * 1024;

/**
 * `--data-dir` persistence: a snapshot plus a journal of changes since it, for collections,
 * their documents and indexes, and the view catalog. Data directories of older versions (no
 * view records) load unchanged.
 * - Every write is appended to an in-memory buffer. A write command waits (`whenDurable`) until
 *   its records are written and fdatasynced, as mongod acknowledges a journaled write concern;
 *   group commit lets every write that arrives during one sync share the next one.
 * - Writes nobody waits for (`j: false`, `w: 0`) are flushed every 100 ms.
 * - Records are checksummed frames (record-file.ts); a torn tail is cut off on start.
 * - A new snapshot is written to a temporary file, fsynced and renamed over the old one, so the
 *   snapshot on disk is always complete. Journal records are idempotent (whole-document puts,
 *   deletes by id), so replaying ones already in the snapshot is harmless.
 */
export class Persistence implements Durability {
  private journal: RecordWriter | undefined;
  private journalBytes = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSeq = 0;
  private store: Store | undefined;
  private seqOf: () => number = () => this.lastSeq;
  private onDurable: (seq: number) => void = () => {};
  /** `journal.addedBytes` covered by the last completed sync (or snapshot). */
  private durableBytes = 0;
  private waiters: Array<{ position: number; resolve: () => void; reject: (e: Error) => void }> =
    [];
  private groupCommitRunning = false;
  failure: Error | undefined;
  /** fdatasync calls of the journal, for the group-commit ratio. */
  syncCount = 0;

  private constructor(private readonly dir: string) {}

  /** Locks the directory and loads its data into `store`; returns the change sequence reached. */
  static open(dir: string, store: Store): { persistence: Persistence; lastSeq: number } {
    // Owner-only, like the event store's: the read models hold every balance.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const persistence = new Persistence(resolve(dir));
    persistence.lock();
    const lastSeq = persistence.load(store);
    persistence.lastSeq = lastSeq;
    persistence.compact(store); // start from one clean snapshot and an empty journal
    return { persistence, lastSeq };
  }

  private lock(): void {
    if (OPEN_DIRS.has(this.dir))
      throw new Error(`data directory ${this.dir} is in use by this process`);
    const path = join(this.dir, LOCK);
    if (existsSync(path)) {
      const pid = Number(readFileSync(path, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(`data directory ${this.dir} is in use by process ${pid}`);
      }
    }
    writeFileSync(path, String(process.pid), { mode: 0o600 });
    OPEN_DIRS.add(this.dir);
  }

  private load(store: Store): number {
    let lastSeq = 0;
    const snapshot = readRecords(join(this.dir, SNAPSHOT));
    let current: { db: string; c: string } | undefined;
    for (const rec of snapshot.records) {
      if (rec.t === 'meta') lastSeq = Number(rec.seq ?? 0);
      else if (rec.t === 'coll') {
        current = { db: String(rec.db), c: String(rec.c) };
        const coll = store.getOrCreate(current.db, current.c, collectionInit(rec));
        for (const spec of (rec.indexes as IndexSpec[] | undefined) ?? []) coll.createIndex(spec);
      } else if (rec.t === 'doc' && current) {
        store.getOrCreate(current.db, current.c).insert(rec.d as Document);
      } else if (rec.t === 'view') {
        viewsOf(store).set(String(rec.db), String(rec.c), viewDefinition(rec));
      }
    }
    const journalPath = join(this.dir, JOURNAL);
    const journal = readRecords(journalPath);
    for (const rec of journal.records) {
      try {
        lastSeq = Math.max(lastSeq, apply(store, rec));
      } catch (error) {
        warnLater({ err: error, record: rec.t }, 'skipped a journal record that no longer applies');
      }
    }
    if (existsSync(journalPath) && statSync(journalPath).size > journal.validBytes) {
      warnLater(
        { kept: journal.validBytes },
        'journal had a torn tail (crash during a write); cut it off',
      );
    }
    return lastSeq;
  }

  /**
   * Starts journaling the store's changes. `seqOf` tells the change-stream position reached;
   * `onDurable` hears each position once everything up to it is on disk.
   */
  attach(store: Store, seqOf: () => number, onDurable: (seq: number) => void = () => {}): void {
    this.store = store;
    this.seqOf = seqOf;
    this.onDurable = onDurable;
    this.journal = RecordWriter.create(join(this.dir, JOURNAL), 'a');
    store.onEvent((event) => this.record(event));
    viewsOf(store).onEvent((event) => this.recordView(event));
    this.timer = setInterval(() => {
      void this.flush();
    }, FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  get position(): number {
    return this.journal?.addedBytes ?? 0;
  }

  whenDurable(position: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (position <= this.durableBytes || !this.journal) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ position, resolve, reject });
      if (!this.groupCommitRunning) void this.groupCommit();
    });
  }

  /** Group commit: every write added while one write+fdatasync runs shares the next one. */
  private async groupCommit(): Promise<void> {
    this.groupCommitRunning = true;
    // Let the writes answered in this same turn of the event loop join the first sync.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.waiters.length > 0 && !this.failure) await this.flush();
    this.groupCommitRunning = false;
  }

  private record(event: StoreEvent): void {
    const journal = this.journal;
    if (!journal) return;
    switch (event.kind) {
      case 'insert':
      case 'update':
      case 'replace':
        journal.add({
          t: 'put',
          db: event.collection.db,
          c: event.collection.name,
          d: event.after,
        });
        break;
      case 'delete':
        journal.add({
          t: 'del',
          db: event.collection.db,
          c: event.collection.name,
          id: event.before._id,
        });
        break;
      case 'createCollection':
        journal.add({
          t: 'create',
          db: event.collection.db,
          c: event.collection.name,
          uuid: event.collection.uuid,
          options: event.collection.options,
        });
        break;
      case 'modify':
        journal.add({
          t: 'collMod',
          db: event.collection.db,
          c: event.collection.name,
          changes: event.changes,
        });
        break;
      case 'createIndex':
        journal.add({
          t: 'idx',
          db: event.collection.db,
          c: event.collection.name,
          spec: event.spec,
        });
        break;
      case 'dropIndex':
        journal.add({
          t: 'dropIdx',
          db: event.collection.db,
          c: event.collection.name,
          name: event.spec.name,
        });
        break;
      case 'drop':
        journal.add({ t: 'drop', db: event.db, c: event.coll });
        break;
      case 'dropDatabase':
        journal.add({ t: 'dropDb', db: event.db });
        break;
      case 'rename':
        journal.add({ t: 'rename', db: event.db, c: event.coll, toDb: event.toDb, to: event.to });
        break;
    }
  }

  /** Views are catalog entries, journaled like collections (mongod keeps them in system.views). */
  private recordView(event: ViewEvent): void {
    const journal = this.journal;
    if (!journal) return;
    if (event.kind === 'createView') journal.add(viewRecord(event.db, event.name, event.view));
    else journal.add({ t: 'dropView', db: event.db, c: event.name });
  }

  /**
   * Writes buffered journal records and fdatasyncs them without blocking the event loop; one
   * flush at a time, so records reach the file in order. Then wakes the writes it made durable,
   * and compacts when the journal grew large.
   */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const journal = this.journal;
    if (!journal?.hasPending || this.failure) return Promise.resolve();
    const seq = this.seqOf();
    if (seq !== this.lastSeq) {
      journal.add({ t: 'seq', n: seq });
      this.lastSeq = seq;
    }
    const position = journal.addedBytes;
    const data = journal.take();
    const flushing = writeAndSync(journal.fd, data)
      .then(() => {
        this.syncCount++;
        this.journalBytes += data.length;
        this.madeDurable(position, seq);
        if (this.journalBytes > COMPACT_AT_JOURNAL_BYTES && this.store) this.compact(this.store);
      })
      .catch((error: unknown) => this.fail(error as Error))
      .finally(() => {
        this.flushing = undefined;
      });
    this.flushing = flushing;
    return flushing;
  }

  private madeDurable(position: number, seq: number): void {
    this.durableBytes = Math.max(this.durableBytes, position);
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.position <= this.durableBytes) waiter.resolve();
      else this.waiters.push(waiter);
    }
    this.onDurable(seq);
  }

  /**
   * A failed write or fdatasync leaves the journal's tail unknown (mongod stops on it): the
   * writes waiting fail, and every later write is refused before it is applied.
   */
  private fail(error: Error): void {
    this.failure = new Error(
      `journal write failed, the stand-in refuses writes from now on: ${error.message}`,
    );
    log.error({ err: error }, 'journal write failed; refusing further writes');
    for (const waiter of this.waiters) waiter.reject(this.failure);
    this.waiters = [];
  }

  /** Writes a full snapshot (temp file, fsync, rename) and empties the journal. */
  compact(store: Store): void {
    this.lastSeq = this.seqOf(); // the snapshot holds every change made so far
    const tmp = join(this.dir, `${SNAPSHOT}.tmp`);
    const writer = RecordWriter.create(tmp, 'w', 8 * 1024 * 1024);
    writer.add({
      t: 'meta',
      format: 'tally-embedded-mongo',
      version: 1,
      seq: this.lastSeq,
      at: new Date(),
    });
    for (const db of store.databaseNames()) {
      for (const coll of store.collections(db)) {
        writer.add({
          t: 'coll',
          db,
          c: coll.name,
          uuid: coll.uuid,
          options: coll.options,
          indexes: [...coll.indexes.values()].map((i) => i.spec),
        });
        for (const doc of coll.docs.values()) writer.add({ t: 'doc', d: doc });
      }
    }
    for (const { db, name, view } of viewsOf(store).all()) writer.add(viewRecord(db, name, view));
    writer.close();
    renameSync(tmp, join(this.dir, SNAPSHOT));
    syncDirectory(this.dir);
    // Records still buffered are already part of the snapshot just written: drop them.
    if (this.journal?.hasPending) this.journal.take();
    closeSync(openSync(join(this.dir, JOURNAL), 'w', 0o600)); // empty (or create) the journal
    this.journalBytes = 0;
    if (this.journal) this.madeDurable(this.journal.addedBytes, this.lastSeq);
  }

  async close(store: Store, seqOf: () => number): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    this.lastSeq = seqOf();
    this.compact(store);
    this.journal?.close();
    this.journal = undefined;
    OPEN_DIRS.delete(this.dir);
    try {
      unlinkSync(join(this.dir, LOCK));
    } catch {
      // already gone
    }
  }
}

/** Replays one journal record; returns the change sequence it carries (0 if none). */
function apply(store: Store, rec: Document): number {
  const db = String(rec.db);
  const c = String(rec.c);
  switch (rec.t) {
    case 'put': {
      const coll = store.getOrCreate(db, c);
      const doc = rec.d as Document;
      const existing = coll.getById(doc._id);
      if (existing) coll.replace(existing, doc, 'replace');
      else coll.insert(doc);
      return 0;
    }
    case 'del': {
      const coll = store.get(db, c);
      const existing = coll?.getById(rec.id);
      if (coll && existing) coll.delete(existing);
      return 0;
    }
    case 'create':
      store.getOrCreate(db, c, collectionInit(rec));
      return 0;
    case 'collMod': {
      const coll = store.get(db, c);
      if (coll) store.modify(coll, rec.changes as CollectionOptions);
      return 0;
    }
    case 'idx': {
      const coll = store.getOrCreate(db, c);
      const spec = rec.spec as IndexSpec;
      if (!coll.indexes.has(spec.name)) coll.createIndex(spec);
      return 0;
    }
    case 'dropIdx':
      if (store.get(db, c)?.indexes.has(String(rec.name)))
        store.get(db, c)?.dropIndex(String(rec.name));
      return 0;
    case 'drop':
      store.drop(db, c);
      return 0;
    case 'dropDb':
      store.dropDatabase(db);
      return 0;
    case 'rename':
      if (store.get(db, c)) store.rename(db, c, String(rec.toDb), String(rec.to), true);
      return 0;
    case 'view':
      viewsOf(store).set(db, c, viewDefinition(rec));
      return 0;
    case 'dropView':
      viewsOf(store).delete(db, c);
      return 0;
    case 'seq':
      return Number(rec.n);
    default:
      return 0;
  }
}

function viewRecord(db: string, name: string, view: ViewDefinition): Document {
  return { t: 'view', db, c: name, viewOn: view.viewOn, pipeline: view.pipeline };
}

function viewDefinition(rec: Document): ViewDefinition {
  return {
    viewOn: String(rec.viewOn),
    pipeline: Array.isArray(rec.pipeline) ? (rec.pipeline as Document[]) : [],
  };
}

/**
 * A collection's UUID and options from its snapshot or journal record. Data directories written
 * before UUIDs were kept have none: such a collection gets a new UUID, which the snapshot
 * written at start then keeps.
 */
function collectionInit(rec: Document): CollectionInit {
  const uuid = rec.uuid;
  const isUuid =
    uuid !== null &&
    typeof uuid === 'object' &&
    (uuid as { _bsontype?: string })._bsontype === 'Binary' &&
    (uuid as Binary).sub_type === Binary.SUBTYPE_UUID;
  return {
    ...(isUuid ? { uuid: uuid as Binary } : {}),
    ...(rec.options && typeof rec.options === 'object'
      ? { options: rec.options as CollectionOptions }
      : {}),
  };
}

/**
 * Start-up warnings are logged on a later turn: pino writes to stdout, and `npm run mongo` must
 * print its connection string as the first line there.
 */
function warnLater(details: object, message: string): void {
  setImmediate(() => log.warn(details, message));
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
