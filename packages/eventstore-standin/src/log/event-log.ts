import { createLogger } from '../logger.js';
import { EventCache } from './event-cache.js';
import {
  bodyOf,
  decodeRecord,
  encodeRecord,
  type LogEvent,
  type NewEvent,
  sealRecord,
} from './record.js';
import type { LogStorage } from './storage.js';

const log = createLogger('eventstore.log');

/** File header: magic + format version, padded. Also keeps position 0 free, as on a real server. */
const MAGIC = Buffer.from('TALLYES1', 'ascii');
export const LOG_HEADER_SIZE = 16;
const READ_CHUNK = 1024 * 1024;

export interface RecoveryReport {
  events: number;
  /** Bytes cut from the tail because they were torn, corrupt or an unfinished append. */
  cutBytes: number;
  cutReason?: string;
}

export interface Reservation {
  /** One event per record, positions assigned, in log order. */
  events: LogEvent[];
  /** Resolves once the records are on disk (fdatasync) and visible to readers. */
  durable: Promise<void>;
}

interface PendingBatch {
  records: Buffer[];
  events: LogEvent[];
  waiters: Array<{ resolve: () => void; reject: (error: Error) => void }>;
}

/**
 * The append-only log: checksummed records, group commit, and reads by position. Appends are
 * reserved synchronously (offsets known at once, so callers can check-and-write atomically on the
 * event loop) and become durable and visible together with everything else waiting for a flush.
 */
export class EventLog {
  readonly #storage: LogStorage;
  readonly #cache = new EventCache(16_384, 64 * 1024 * 1024);
  /** Reserved but not yet durable, by position: readable by the writer's own checks. */
  readonly #pending = new Map<number, LogEvent>();
  #batch: PendingBatch = { records: [], events: [], waiters: [] };
  #reservedEnd: number;
  #committedEnd: number;
  #flushing = false;
  #failure: Error | undefined;
  #onCommitted: (events: LogEvent[]) => void = () => {};
  /** Number of fdatasync calls, for the benchmark's group-commit ratio. */
  syncCount = 0;

  private constructor(storage: LogStorage) {
    this.#storage = storage;
    this.#reservedEnd = storage.size;
    this.#committedEnd = storage.size;
  }

  /**
   * Opens the log, replaying every committed event through `replay` (in order; bodies only for
   * metadata-stream events, the rest carry just what the indexes need) and cutting a
   * torn or corrupt tail. Time and memory grow linearly with the log.
   */
  static async open(
    storage: LogStorage,
    replay: (event: LogEvent) => void,
  ): Promise<{ log: EventLog; recovery: RecoveryReport }> {
    if (storage.size === 0) {
      const header = Buffer.alloc(LOG_HEADER_SIZE);
      MAGIC.copy(header);
      storage.append([header]);
      await storage.sync();
    }
    const header = storage.read(0, LOG_HEADER_SIZE);
    if (header.length < LOG_HEADER_SIZE || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new Error('The data directory holds a file that is not a Tally event log');
    }
    const recovery = scan(storage, replay);
    if (recovery.cutBytes > 0) {
      storage.truncate(storage.size - recovery.cutBytes);
      await storage.sync();
    }
    return { log: new EventLog(storage), recovery };
  }

  /** Everything below this offset is durable and visible. */
  get committedEnd(): number {
    return this.#committedEnd;
  }

  /** Offset the next reserved record will get. */
  get reservedEnd(): number {
    return this.#reservedEnd;
  }

  onCommitted(listener: (events: LogEvent[]) => void): void {
    this.#onCommitted = listener;
  }

  /**
   * Reserves log space for appends; each inner array is one atomic transaction. Recovery keeps a
   * transaction whole or drops it whole, because only its last record carries the end flag.
   */
  reserve(transactions: NewEvent[][]): Reservation {
    if (this.#failure) {
      return { events: [], durable: Promise.reject(this.#failure) };
    }
    const events: LogEvent[] = [];
    for (const transaction of transactions) {
      const commit = this.#reservedEnd;
      transaction.forEach((event, index) => {
        const transactionEnd = index === transaction.length - 1;
        const record = encodeRecord({ ...event, transactionEnd });
        const position = this.#reservedEnd;
        sealRecord(record, position - commit);
        // The event as a reader will decode it, without decoding (and checksumming) it again.
        const written = logEventOf(event, record, position, commit, transactionEnd);
        this.#batch.records.push(record);
        this.#batch.events.push(written);
        this.#pending.set(position, written);
        events.push(written);
        this.#reservedEnd += record.length;
      });
    }
    const durable = new Promise<void>((resolve, reject) => {
      this.#batch.waiters.push({ resolve, reject });
    });
    if (!this.#flushing) void this.#flushLoop();
    return { events, durable };
  }

  /** Group commit: everything reserved while one flush runs goes into the next single flush. */
  async #flushLoop(): Promise<void> {
    this.#flushing = true;
    // Let appends that arrive in the same tick join the first flush.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#batch.waiters.length > 0) {
      const batch = this.#batch;
      this.#batch = { records: [], events: [], waiters: [] };
      try {
        this.#storage.append(batch.records);
        await this.#storage.sync();
        this.syncCount++;
      } catch (error) {
        this.#fail(error as Error, batch);
        break;
      }
      const last = batch.events[batch.events.length - 1];
      if (last) this.#committedEnd = last.position + last.size;
      for (const event of batch.events) {
        this.#pending.delete(event.position);
        this.#cache.set(event);
      }
      this.#onCommitted(batch.events);
      for (const waiter of batch.waiters) waiter.resolve();
    }
    this.#flushing = false;
  }

  /** A failed write or fdatasync leaves the log's tail unknown: refuse all further writes. */
  #fail(error: Error, batch: PendingBatch): void {
    this.#failure = new Error(`event log write failed, the store is read-only: ${error.message}`);
    log.error({ err: error }, 'event log write failed; refusing further appends');
    for (const waiter of [...batch.waiters, ...this.#batch.waiters]) waiter.reject(this.#failure);
    this.#batch = { records: [], events: [], waiters: [] };
  }

  /** The event at `position`, durable or reserved. */
  readAt(position: number): LogEvent {
    const event = this.#pending.get(position) ?? this.#cache.get(position);
    if (event) return event;
    let buffer = this.#storage.read(position, 4096);
    let decoded = decodeRecord(buffer, 0, position);
    if (decoded.kind === 'incomplete') {
      buffer = this.#storage.read(position, decoded.needed);
      decoded = decodeRecord(buffer, 0, position);
    }
    if (decoded.kind !== 'ok') {
      throw new Error(`no readable event at position ${position} (${decoded.kind})`);
    }
    // Re-decode from an exact copy so the cached event does not pin the whole read buffer.
    const copy = Buffer.allocUnsafeSlow(decoded.event.size);
    buffer.copy(copy, 0, 0, decoded.event.size);
    const exact = decodeRecord(copy, 0, position);
    if (exact.kind !== 'ok') throw new Error(`no readable event at position ${position}`);
    this.#cache.set(exact.event);
    return exact.event;
  }

  /**
   * Durable events from `position` on, in log order, for sequential scans ($all reads and
   * catch-up): one read of about `maxBytes`, decoded in place, not cached.
   */
  readForward(position: number, maxBytes = READ_CHUNK): LogEvent[] {
    const end = Math.min(this.#committedEnd, position + maxBytes);
    if (position >= end) return [];
    const buffer = this.#storage.read(position, end - position);
    const events: LogEvent[] = [];
    let offset = 0;
    while (offset < buffer.length) {
      const decoded = decodeRecord(buffer, offset, position + offset);
      if (decoded.kind === 'incomplete') break;
      if (decoded.kind === 'corrupt') {
        throw new Error(`corrupt record at position ${position + offset}: ${decoded.reason}`);
      }
      events.push(decoded.event);
      offset += decoded.event.size;
    }
    if (events.length === 0) return [this.readAt(position)];
    return events;
  }

  /** Waits for in-flight flushes, then closes the storage. */
  async close(): Promise<void> {
    while (this.#flushing) await new Promise<void>((resolve) => setImmediate(resolve));
    this.#storage.close();
  }
}

function scan(storage: LogStorage, replay: (event: LogEvent) => void): RecoveryReport {
  const size = storage.size;
  let position = LOG_HEADER_SIZE;
  let lastCommitted = LOG_HEADER_SIZE;
  let transaction: LogEvent[] = [];
  let events = 0;
  let cutReason: string | undefined;
  let buffer: Buffer = Buffer.alloc(0);
  let bufferStart = position;
  while (position < size) {
    let decoded = decodeRecord(buffer, position - bufferStart, position, true);
    while (decoded.kind === 'incomplete' && position + decoded.needed <= size) {
      buffer = storage.read(position, Math.max(READ_CHUNK, decoded.needed));
      bufferStart = position;
      decoded = decodeRecord(buffer, 0, position, true);
    }
    if (decoded.kind === 'incomplete') {
      cutReason = 'torn record at the end of the log';
      break;
    }
    if (decoded.kind === 'corrupt') {
      cutReason = `corrupt record at position ${position}: ${decoded.reason}`;
      break;
    }
    const event = decoded.event;
    const expectedCommit = transaction[0]?.position ?? position;
    if (event.commit !== expectedCommit) {
      cutReason = `record at position ${position} does not belong to its transaction`;
      break;
    }
    transaction.push(event);
    position += event.size;
    if (event.transactionEnd) {
      for (const committed of transaction) replay(committed);
      events += transaction.length;
      transaction = [];
      lastCommitted = position;
    }
  }
  if (!cutReason && transaction.length > 0) cutReason = 'unfinished append at the end of the log';
  const report: RecoveryReport = { events, cutBytes: size - lastCommitted };
  if (report.cutBytes > 0)
    report.cutReason = cutReason ?? 'unfinished append at the end of the log';
  return report;
}

/**
 * Spelled out field by field, in the order `decodeRecord` gives them, so every event has the
 * same hidden class. Built with spreads (`{...event, ...bodyOf(record), ...}`), V8 gave almost
 * every event a hidden class of its own: about 300 bytes more per cached event (16,000 of them
 * held 4.8 MB of descriptor arrays in a heap snapshot under Tally's load).
 */
function logEventOf(
  event: NewEvent,
  record: Buffer,
  position: number,
  commit: number,
  transactionEnd: boolean,
): LogEvent {
  const body = bodyOf(record);
  return {
    position,
    commit,
    size: record.length,
    transactionEnd,
    streamName: event.streamName,
    revision: event.revision,
    created: event.created,
    id: body.id,
    type: event.type,
    contentType: event.contentType,
    data: body.data,
    metadata: body.metadata,
  };
}
