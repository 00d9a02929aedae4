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
import {
  captureImage,
  viewRecord,
  writeSnapshotInBackground,
  writeSnapshotSync,
} from './snapshot.js';
import type { Store, StoreEvent } from './store.js';
import { type ViewDefinition, type ViewEvent, viewsOf } from './view-catalog.js';

const log = createLogger('embedded-mongo-persistence');

const SNAPSHOT = 'snapshot.bin';
const JOURNAL = 'journal.bin';
/** The journal of the writes made while a snapshot is written in the background. */
const JOURNAL_NEXT = 'journal.next.bin';
const LOCK = 'LOCK';
const FLUSH_INTERVAL_MS = 100;
/** Directories opened by this process (the LOCK file's pid cannot tell two of ours apart). */
const OPEN_DIRS = new Set<string>();
/** Journal size at which a new snapshot is written (in the background) and the journal emptied. */
export const COMPACT_AT_JOURNAL_BYTES = 256 * 1024 * 1024;

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
 * - When the journal has grown large, the snapshot is written in the background, as mongod
 *   checkpoints without stopping: at one instant the journal is closed and a new one (the next
 *   generation) takes the writes; the store as it was at that instant is written slice by slice
 *   while commands go on; then the snapshot replaces the old one and the new journal the old.
 *   Each snapshot and journal names its generation, so a start after a crash at any step replays
 *   exactly the journals that follow the snapshot it finds (`load`).
 */
export class Persistence implements Durability {
  private journal: RecordWriter | undefined;
  private journalBytes = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSeq = 0;
  private store: Store | undefined;
  /** The generation of the snapshot on disk; the journal written now is this one or the next. */
  private generation = 0;
  /** The background snapshot being written, if one is. */
  private compacting: Promise<void> | undefined;
  /** Snapshots written in the background since start, for tests and diagnostics. */
  backgroundSnapshots = 0;
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

  private constructor(
    private readonly dir: string,
    private readonly compactAtJournalBytes: number,
  ) {}

  /** Locks the directory and loads its data into `store`; returns the change sequence reached. */
  static open(
    dir: string,
    store: Store,
    compactAtJournalBytes = COMPACT_AT_JOURNAL_BYTES,
  ): { persistence: Persistence; lastSeq: number } {
    // Owner-only, like the event store's: the read models hold every balance.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const persistence = new Persistence(resolve(dir), compactAtJournalBytes);
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
    let generation = 0; // snapshots written before generations were kept have none
    for (const rec of snapshot.records) {
      if (rec.t === 'meta') {
        lastSeq = Number(rec.seq ?? 0);
        generation = Number(rec.generation ?? 0);
      } else if (rec.t === 'coll') {
        current = { db: String(rec.db), c: String(rec.c) };
        const coll = store.getOrCreate(current.db, current.c, collectionInit(rec));
        for (const spec of (rec.indexes as IndexSpec[] | undefined) ?? []) coll.createIndex(spec);
      } else if (rec.t === 'doc' && current) {
        store.getOrCreate(current.db, current.c).insert(rec.d as Document);
      } else if (rec.t === 'view') {
        viewsOf(store).set(String(rec.db), String(rec.c), viewDefinition(rec));
      }
    }
    // The snapshot's own journal, then the next one if a background snapshot was under way.
    // A journal of an older generation is already in the snapshot: replaying it could bring
    // back a collection renamed or dropped since, so it is skipped.
    let newest = generation;
    for (const name of [JOURNAL, JOURNAL_NEXT]) {
      const path = join(this.dir, name);
      if (!existsSync(path)) continue;
      const journal = readRecords(path);
      const first = journal.records[0];
      const journalGeneration = first?.t === 'journal' ? Number(first.generation) : 0;
      if (journalGeneration < generation) continue;
      newest = Math.max(newest, journalGeneration);
      for (const rec of journal.records) {
        try {
          lastSeq = Math.max(lastSeq, apply(store, rec));
        } catch (error) {
          warnLater(
            { err: error, record: rec.t },
            'skipped a journal record that no longer applies',
          );
        }
      }
      if (statSync(path).size > journal.validBytes) {
        warnLater(
          { journal: name, kept: journal.validBytes },
          'journal had a torn tail (crash during a write); cut it off',
        );
      }
    }
    this.generation = newest;
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
        if (this.journalBytes > this.compactAtJournalBytes && this.store && !this.compacting) {
          this.compactInBackground(this.store);
        }
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

  /**
   * Writes a full snapshot (temp file, fsync, rename) on the event loop and starts a new, empty
   * journal of the next generation, which also replaces a next journal left by a background
   * snapshot. At start, at close, and when a background snapshot failed.
   */
  compact(store: Store): void {
    const generation = this.generation + 1;
    this.lastSeq = this.seqOf(); // the snapshot holds every change made so far
    const tmp = join(this.dir, `${SNAPSHOT}.tmp`);
    writeSnapshotSync(tmp, this.snapshotMeta(generation), captureImage(store));
    renameSync(tmp, join(this.dir, SNAPSHOT));
    syncDirectory(this.dir);
    // Records still buffered are already part of the snapshot just written: drop them.
    if (this.journal?.hasPending) this.journal.take();
    const fresh = join(this.dir, `${JOURNAL}.tmp`);
    closeSync(startJournal(fresh, generation));
    renameSync(fresh, join(this.dir, JOURNAL));
    if (existsSync(join(this.dir, JOURNAL_NEXT))) unlinkSync(join(this.dir, JOURNAL_NEXT));
    syncDirectory(this.dir);
    if (this.journal) closeSync(this.journal.switchTo(openSync(join(this.dir, JOURNAL), 'a')));
    this.generation = generation;
    this.journalBytes = 0;
    if (this.journal) this.madeDurable(this.journal.addedBytes, this.lastSeq);
  }

  /**
   * Ends the current journal at this instant, sends later writes to a journal of the next
   * generation, and writes the store as it is now as that generation's snapshot, in the
   * background (snapshot.ts). Runs between two journal writes, so none is in flight.
   */
  private compactInBackground(store: Store): void {
    const journal = this.journal!;
    // Writes applied since the last journal write belong before this instant: they end the
    // current journal (a few records, written and synced here).
    const seq = this.seqOf();
    if (seq !== this.lastSeq) {
      journal.add({ t: 'seq', n: seq });
      this.lastSeq = seq;
    }
    const current = journal.fd;
    try {
      journal.flush(true);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    this.madeDurable(journal.addedBytes, seq);
    const generation = this.generation + 1;
    const meta = this.snapshotMeta(generation);
    const image = captureImage(store);
    const nextPath = join(this.dir, JOURNAL_NEXT);
    journal.switchTo(startJournal(nextPath, generation));
    syncDirectory(this.dir);
    this.journalBytes = 0;
    const tmp = join(this.dir, `${SNAPSHOT}.tmp`);
    this.compacting = writeSnapshotInBackground(tmp, meta, image)
      .then(() => {
        renameSync(tmp, join(this.dir, SNAPSHOT));
        syncDirectory(this.dir);
        // The journal of this instant on replaces the one the new snapshot now holds.
        renameSync(nextPath, join(this.dir, JOURNAL));
        syncDirectory(this.dir);
        this.generation = generation;
        this.backgroundSnapshots++;
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'background snapshot failed; writing one now instead');
        try {
          this.generation = generation;
          this.compact(store);
        } catch (failure) {
          this.fail(failure as Error);
        }
      })
      .finally(() => {
        closeSync(current);
        this.compacting = undefined;
      });
  }

  private snapshotMeta(generation: number): Document {
    return {
      t: 'meta',
      format: 'tally-embedded-mongo',
      version: 1,
      seq: this.lastSeq,
      generation,
      at: new Date(),
    };
  }

  async close(store: Store, seqOf: () => number): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    await this.compacting;
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

/** Creates a journal file that starts with its generation, synced; returns it open for appends. */
function startJournal(path: string, generation: number): number {
  const writer = RecordWriter.create(path, 'w');
  writer.add({ t: 'journal', generation });
  writer.flush(true);
  return writer.fd;
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
