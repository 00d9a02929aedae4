import { EventLog, type RecoveryReport } from '../log/event-log.js';
import type { LogEvent, NewEvent } from '../log/record.js';
import { TOMBSTONE_REVISION } from '../log/record.js';
import type { LogStorage } from '../log/storage.js';
import { Positions } from './positions.js';
import { RecentIds } from './recent-ids.js';
import {
  isMetastream,
  isSoftDeleted,
  metastreamOf,
  parseStreamMetadata,
  SOFT_DELETED_TRUNCATE_BEFORE,
  serializeMetadata,
} from './stream-metadata.js';
import { StreamState, type SubscriptionProgress } from './stream-state.js';
import {
  type Clock,
  type ExpectedRevision,
  type ProposedEvent,
  systemClock,
  type WriteResult,
} from './types.js';

/** Idempotency window for `any`-revision retries, like EventStoreDB's committed-events cache. */
const RECENT_IDS = 100_000;

/**
 * The store's rules: expected revisions, idempotency, deletes and metadata, over the log. All
 * checks and reservations happen synchronously on the event loop, so the check of an expected
 * revision and the write it allows are atomic however many appends race.
 */
export class EventStore {
  // Assigned by open(): the log replays into the indexes while it opens.
  #log!: EventLog;
  readonly #streams = new Map<string, StreamState>();
  /** Positions of all events in log order (durable and reserved). */
  readonly #all = new Positions();
  /** Recent event ids (hex) → log position, for idempotent retries at `any`. */
  readonly #recentIds = new RecentIds(RECENT_IDS);
  readonly #listeners = new Set<() => void>();
  recovery: RecoveryReport = { events: 0, cutBytes: 0 };
  #closed = false;

  readonly #clock: Clock;

  private constructor(clock: Clock) {
    this.#clock = clock;
  }

  static async open(storage: LogStorage, clock: Clock = systemClock): Promise<EventStore> {
    const store = new EventStore(clock);
    const { log, recovery } = await EventLog.open(storage, (event) => store.#index(event, true));
    store.#log = log;
    store.recovery = recovery;
    store.#rememberTail();
    log.onCommitted((events) => store.#onCommitted(events));
    if (store.#all.length === 0) await store.#initialize();
    return store;
  }

  /**
   * A new database starts, as on EventStoreDB, with the system settings event in `$settings`, so
   * `$all` holds system events before any user event (and filters on them have work to do).
   */
  async #initialize(): Promise<void> {
    const settings = {
      $userStreamAcl: { $r: '$all', $w: '$all', $d: '$all', $mr: '$all', $mw: '$all' },
      $systemStreamAcl: {
        $r: '$admins',
        $w: '$admins',
        $d: '$admins',
        $mr: '$admins',
        $mw: '$admins',
      },
    };
    await this.append('$settings', { kind: 'no_stream' }, [
      {
        id: randomUuidBytes(),
        type: '$settings',
        contentType: 'application/json',
        data: Buffer.from(JSON.stringify(settings)),
        metadata: Buffer.alloc(0),
      },
    ]);
  }

  get log(): EventLog {
    return this.#log;
  }

  get committedEnd(): number {
    return this.#log.committedEnd;
  }

  /** Active subscriptions, for diagnostics (how far each got, what is buffered for it). */
  readonly subscriptions = new Set<SubscriptionProgress>();

  /** Called after each group commit; subscriptions pump from their cursors. */
  onCommit(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stream(name: string): StreamState | undefined {
    return this.#streams.get(name);
  }

  /** Every stream the log has seen, for a start-up scan (e.g. of the `$ce-` streams). */
  streams(): IterableIterator<StreamState> {
    return this.#streams.values();
  }

  /** The last durable event of a stream, if it has one (a tombstone is not counted). */
  lastDurableEvent(stream: StreamState): LogEvent | undefined {
    const count = this.durableCount(stream);
    return count > 0 ? this.#log.readAt(stream.positions.at(count - 1)) : undefined;
  }

  #streamFor(name: string): StreamState {
    let stream = this.#streams.get(name);
    if (!stream) {
      stream = new StreamState(name);
      this.#streams.set(name, stream);
    }
    return stream;
  }

  /** Adds an event to the in-memory indexes; `durable` also updates what readers see. */
  #index(event: LogEvent, durable: boolean): void {
    this.#all.push(event.position);
    const stream = this.#streamFor(event.streamName);
    if (event.revision === TOMBSTONE_REVISION) {
      stream.tombstone = event.position;
      return;
    }
    stream.positions.push(event.position);
    // On replay the ids are taken from the tail afterwards (rememberTail): cheaper than all of them.
    if (!durable) this.#rememberId(event.id, event.position);
    if (isMetastream(event.streamName) && event.type === '$metadata') {
      const target = this.#streamFor(event.streamName.slice(2));
      const metadata = parseStreamMetadata(event.data);
      target.writeMetadata = metadata;
      if (durable) target.readMetadata = metadata;
    }
  }

  #onCommitted(events: LogEvent[]): void {
    for (const event of events) {
      if (isMetastream(event.streamName) && event.type === '$metadata') {
        const target = this.#streamFor(event.streamName.slice(2));
        target.readMetadata = parseStreamMetadata(event.data);
      }
    }
    for (const listener of this.#listeners) listener();
  }

  /** Fills the idempotency window with the ids of the last events in the log. */
  #rememberTail(): void {
    const first = Math.max(0, this.#all.length - RECENT_IDS);
    if (first >= this.#all.length) return;
    let cursor = this.#all.at(first);
    while (cursor < this.#log.committedEnd) {
      for (const event of this.#log.readForward(cursor)) {
        if (event.revision !== TOMBSTONE_REVISION) this.#rememberId(event.id, event.position);
        cursor = event.position + event.size;
      }
    }
  }

  #rememberId(id: Buffer, position: number): void {
    this.#recentIds.set(id.toString('hex'), position);
  }

  /** True when `events` are exactly the events at revisions `first`.. of the stream. */
  #sameEventsAt(stream: StreamState, first: number, events: ProposedEvent[]): boolean {
    if (first < 0 || first + events.length - 1 > stream.lastRevision) return false;
    return events.every((event, index) =>
      this.#log.readAt(stream.positions.at(first + index)).id.equals(event.id),
    );
  }

  /** Finds an earlier append of these very events, for retries with `any`/`stream_exists`. */
  #findRetriedAppend(stream: StreamState, events: ProposedEvent[]): number | undefined {
    const first = events[0];
    if (!first) return undefined;
    const position = this.#recentIds.get(first.id.toString('hex'));
    if (position === undefined) return undefined;
    const seen = this.#log.readAt(position);
    if (seen.streamName !== stream.name || seen.revision === TOMBSTONE_REVISION) return undefined;
    const revision = Number(seen.revision);
    return this.#sameEventsAt(stream, revision, events) ? revision : undefined;
  }

  /** An idempotent retry: the result of the original append, once it is durable. */
  async #replayResult(stream: StreamState, first: number, count: number): Promise<WriteResult> {
    const last = this.#log.readAt(stream.positions.at(first + count - 1));
    if (last.position >= this.#log.committedEnd) await this.#log.reserve([]).durable;
    return {
      kind: 'success',
      currentRevision: BigInt(first + count - 1),
      position: { commit: last.commit, prepare: last.position },
    };
  }

  /**
   * Appends `events` atomically if `expected` holds. Retrying the same event ids at the same
   * expected revision writes nothing and succeeds, as EventStoreDB does.
   */
  append(
    streamName: string,
    expected: ExpectedRevision,
    events: ProposedEvent[],
  ): Promise<WriteResult> {
    const stream = this.#streamFor(streamName);
    if (stream.tombstone !== undefined) return Promise.resolve({ kind: 'stream_deleted' });
    const softDeleted = isSoftDeleted(stream.writeMetadata);
    const last = stream.lastRevision;
    const exists = last >= 0 && !softDeleted;
    const current = exists ? BigInt(last) : undefined;
    const wrong = (): Promise<WriteResult> =>
      Promise.resolve({ kind: 'wrong_expected_version', currentRevision: current });

    switch (expected.kind) {
      case 'stream_exists':
      case 'any': {
        if (expected.kind === 'stream_exists' && softDeleted) {
          // EventStoreDB: "stream exists" against a soft-deleted stream is StreamDeleted.
          return Promise.resolve({ kind: 'stream_deleted' });
        }
        if (expected.kind === 'stream_exists' && !exists) return wrong();
        const retried = this.#findRetriedAppend(stream, events);
        if (retried !== undefined) return this.#replayResult(stream, retried, events.length);
        break;
      }
      case 'no_stream': {
        if (exists) {
          if (events.length > 0 && this.#sameEventsAt(stream, 0, events)) {
            return this.#replayResult(stream, 0, events.length);
          }
          return wrong();
        }
        break;
      }
      case 'revision': {
        const revision = Number(expected.revision);
        if (revision !== last || (last < 0 && !exists)) {
          if (revision < last && this.#sameEventsAt(stream, revision + 1, events)) {
            return this.#replayResult(stream, revision + 1, events.length);
          }
          return wrong();
        }
        break;
      }
    }

    if (events.length === 0) {
      const lastPosition = last >= 0 ? stream.positions.at(last) : 0;
      const lastEvent = last >= 0 ? this.#log.readAt(lastPosition) : undefined;
      return Promise.resolve({
        kind: 'success',
        currentRevision: BigInt(last),
        position: { commit: lastEvent?.commit ?? 0, prepare: lastPosition },
      });
    }

    const transactions: NewEvent[][] = [];
    if (softDeleted) {
      // Recreating a soft-deleted stream: its old events stay hidden below the new `$tb`.
      transactions.push([
        this.#metadataEvent(
          streamName,
          serializeMetadata(stream.writeMetadata?.raw ?? {}, BigInt(last + 1)),
        ),
      ]);
    }
    const created = this.#nowTicks();
    transactions.push(
      events.map((event, index) => ({
        commit: 0,
        transactionEnd: false,
        streamName,
        revision: BigInt(last + 1 + index),
        created,
        id: event.id,
        type: event.type,
        contentType: event.contentType,
        data: event.data,
        metadata: event.metadata,
      })),
    );
    return this.#write(transactions, (written) => {
      const lastWritten = written[written.length - 1] as LogEvent;
      return {
        kind: 'success',
        currentRevision: lastWritten.revision,
        position: { commit: lastWritten.commit, prepare: lastWritten.position },
      };
    });
  }

  /** Server clock in .NET ticks (100 ns) since the Unix epoch, as `created` carries it. */
  #nowTicks(): bigint {
    return BigInt(Math.round(this.#clock() * 10_000));
  }

  #metadataEvent(streamName: string, data: Buffer): NewEvent {
    const metastream = this.#streamFor(metastreamOf(streamName));
    return {
      commit: 0,
      transactionEnd: false,
      streamName: metastream.name,
      revision: BigInt(metastream.lastRevision + 1),
      created: this.#nowTicks(),
      id: randomUuidBytes(),
      type: '$metadata',
      contentType: 'application/json',
      data,
      metadata: Buffer.alloc(0),
    };
  }

  async #write(
    transactions: NewEvent[][],
    result: (written: LogEvent[]) => WriteResult,
  ): Promise<WriteResult> {
    if (this.#closed) throw new Error('the event store is closed');
    const reservation = this.#log.reserve(transactions);
    for (const event of reservation.events) this.#index(event, false);
    await reservation.durable;
    return result(reservation.events);
  }

  /** Checks `expected` for a delete or tombstone (no idempotency there). */
  #checkForDelete(stream: StreamState, expected: ExpectedRevision): WriteResult | undefined {
    if (stream.tombstone !== undefined) return { kind: 'stream_deleted' };
    const last = stream.lastRevision;
    const exists = last >= 0 && !isSoftDeleted(stream.writeMetadata);
    const current = exists ? BigInt(last) : undefined;
    const ok =
      expected.kind === 'any' ||
      (expected.kind === 'no_stream' && !exists) ||
      (expected.kind === 'stream_exists' && exists) ||
      (expected.kind === 'revision' && exists && expected.revision === BigInt(last));
    return ok ? undefined : { kind: 'wrong_expected_version', currentRevision: current };
  }

  /** Soft delete: `$tb` = long.MaxValue in the metadata; a later append recreates the stream. */
  deleteStream(streamName: string, expected: ExpectedRevision): Promise<WriteResult> {
    const stream = this.#streamFor(streamName);
    const refused = this.#checkForDelete(stream, expected);
    if (refused) return Promise.resolve(refused);
    const data = serializeMetadata(stream.writeMetadata?.raw ?? {}, SOFT_DELETED_TRUNCATE_BEFORE);
    return this.#write([[this.#metadataEvent(streamName, data)]], (written) =>
      positionResult(written, BigInt(stream.lastRevision)),
    );
  }

  /** Hard delete: a `$streamDeleted` event; reads and appends fail with StreamDeleted forever. */
  tombstoneStream(streamName: string, expected: ExpectedRevision): Promise<WriteResult> {
    const stream = this.#streamFor(streamName);
    const refused = this.#checkForDelete(stream, expected);
    if (refused) return Promise.resolve(refused);
    const event: NewEvent = {
      commit: 0,
      transactionEnd: false,
      streamName,
      revision: TOMBSTONE_REVISION,
      created: this.#nowTicks(),
      id: randomUuidBytes(),
      type: '$streamDeleted',
      contentType: 'application/octet-stream',
      data: Buffer.alloc(0),
      metadata: Buffer.alloc(0),
    };
    return this.#write([[event]], (written) => positionResult(written, TOMBSTONE_REVISION));
  }

  /** How many of the stream's revisions are durable. */
  durableCount(stream: StreamState): number {
    return stream.positions.countBelow(this.#log.committedEnd);
  }

  /**
   * The revisions a read may show, honouring `$tb`, `$maxCount` and (via minCreated) `$maxAge`.
   * Metadata streams keep only their last event, as on EventStoreDB.
   */
  visibleRange(stream: StreamState): {
    first: number;
    end: number;
    minCreated: bigint | undefined;
  } {
    const end = this.durableCount(stream);
    const metadata = stream.readMetadata;
    let first = Math.min(metadata?.truncateBefore ?? 0, end);
    if (metadata?.maxCount !== undefined) first = Math.max(first, end - metadata.maxCount);
    if (isMetastream(stream.name)) first = Math.max(first, end - 1);
    const minCreated =
      metadata?.maxAge !== undefined
        ? this.#nowTicks() - BigInt(Math.floor(metadata.maxAge)) * 10_000_000n
        : undefined;
    return { first, end, minCreated };
  }

  /** Is the stream readable at all: not tombstoned, not soft-deleted, not empty. */
  streamStatus(
    name: string,
  ): { kind: 'not_found' } | { kind: 'deleted' } | { kind: 'ok'; stream: StreamState } {
    const stream = this.#streams.get(name);
    if (!stream) return { kind: 'not_found' };
    if (stream.tombstone !== undefined && stream.tombstone < this.#log.committedEnd) {
      return { kind: 'deleted' };
    }
    if (this.durableCount(stream) === 0 || isSoftDeleted(stream.readMetadata)) {
      return { kind: 'not_found' };
    }
    return { kind: 'ok', stream };
  }

  /** The event a `$>` link points at (data `<revision>@<stream>`), if it exists and is visible. */
  resolveLink(link: LogEvent): LogEvent | undefined {
    const match = /^(\d+)@(.+)$/s.exec(link.data.toString('utf8'));
    if (!match) return undefined;
    const status = this.streamStatus(match[2] as string);
    if (status.kind !== 'ok') return undefined;
    const revision = Number(match[1]);
    const { first, end, minCreated } = this.visibleRange(status.stream);
    if (revision < first || revision >= end) return undefined;
    const target = this.readAt(status.stream.positions.at(revision));
    return minCreated !== undefined && target.created < minCreated ? undefined : target;
  }

  readAt(position: number): LogEvent {
    return this.#log.readAt(position);
  }

  /** Index in $all order of the first event at or after `position`. */
  allIndexAtOrAfter(position: number): number {
    return this.#all.countBelow(position);
  }

  /** Number of durable events in $all. */
  allDurableCount(): number {
    return this.#all.countBelow(this.#log.committedEnd);
  }

  /** Number of events in $all, durable or reserved. */
  allCount(): number {
    return this.#all.length;
  }

  allPositionAt(index: number): number {
    return this.#all.at(index);
  }

  /** Sequential durable events from `position` on (one disk read). */
  readForward(position: number): LogEvent[] {
    return this.#log.readForward(position);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.#log.close();
  }
}

function positionResult(written: LogEvent[], currentRevision: bigint): WriteResult {
  const event = written[written.length - 1] as LogEvent;
  return {
    kind: 'success',
    currentRevision,
    position: { commit: event.commit, prepare: event.position },
  };
}

function randomUuidBytes(): Buffer {
  return Buffer.from(crypto.randomUUID().replaceAll('-', ''), 'hex');
}
