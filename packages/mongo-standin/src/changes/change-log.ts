import type { Timestamp } from 'bson';
import { MongoCommandError } from '../data/errors.js';
import type { StoreEvent } from '../storage/store.js';
import { ChangeRecord, recordShape } from './change-record.js';
import type { ClusterClock } from './cluster-clock.js';

/**
 * A bounded history of changes (MongoDB's oplog, for change streams) plus waiters that
 * `getMore` on a change stream parks on. Resuming from before the oldest kept record is
 * ChangeStreamHistoryLost (286), as in MongoDB when the oplog has rolled over.
 *
 * The history is a ring of exactly `capacity` records: the newest overwrites the oldest, so the
 * bound is the memory bound. (An array trimmed in chunks kept up to twice the bound alive.)
 */
export class ChangeLog {
  /** Record `seq` sits at `(seq - ringStartSeq) % capacity`. */
  private readonly ring: ChangeRecord[] = [];
  private ringStartSeq = 1;
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
    if (this.ring.length === 0 && seq >= this.nextSeq) {
      this.nextSeq = seq + 1;
      this.ringStartSeq = this.nextSeq;
    }
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
    return this.nextSeq - this.ring.length;
  }

  record(event: StoreEvent): void {
    const shape = recordShape(event);
    if (!shape) return;
    const rec = new ChangeRecord(this.nextSeq++, this.clock.tick(), Date.now(), shape);
    if (this.ring.length < this.capacity) this.ring.push(rec);
    else this.ring[this.slotOf(rec.seq)] = rec;
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
    const first = Math.max(afterSeq + 1, this.oldestSeq);
    const last = Math.min(this.visibleSeq, first + limit - 1);
    const records: ChangeRecord[] = [];
    for (let seq = first; seq <= last; seq++) records.push(this.at(seq));
    return records;
  }

  /** The seq of the last record written strictly before `time` (times grow with seq). */
  seqBefore(time: Timestamp): number {
    let low = this.oldestSeq;
    let high = this.nextSeq;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (this.at(mid).clusterTime.compare(time) < 0) low = mid + 1;
      else high = mid;
    }
    return low - 1;
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

  private at(seq: number): ChangeRecord {
    return this.ring[this.slotOf(seq)] as ChangeRecord;
  }

  private slotOf(seq: number): number {
    return (seq - this.ringStartSeq) % this.capacity;
  }
}
