import {
  BACKWARDS,
  END,
  type EventStoreDBClient,
  FORWARDS,
  type JSONRecordedEvent,
  StreamNotFoundError,
} from '@eventstore/db-client';
import {
  type AccountState,
  accountDecider,
  accountStreamName,
} from '../../domain/account/index.js';
import {
  occurredAt,
  type RecordedEvent,
  type StoredEvent,
  storedEventOf,
} from '../../events/recorded-event.js';
import { upcastingReaderFor } from '../../events/upcasting-reader.js';
import type { Snapshot, SnapshotStore } from '../../write/snapshots.js';

/** A moment in a stream's life: after the event at a revision, or as it stood at a time. */
export type Moment = { revision: number } | { at: Date };

export interface AccountAsOf {
  state: Extract<AccountState, { exists: true }>;
  /** Revision of the last event folded in. */
  revision: number;
  /** occurredAt of that event. */
  asOf: Date;
}

const PAGE = 500;

/**
 * Reads history straight from EventStoreDB, every event upcast (src/events) like everywhere
 * else: pages of a stream, single events, and an account folded as of any moment with the
 * write side's own evolve, starting from the newest snapshot at or before the moment.
 */
export class HistoryReader {
  constructor(
    private readonly client: EventStoreDBClient,
    /** The write side's account snapshots, shared: accountAt starts from them. */
    readonly accountSnapshots?: SnapshotStore<AccountState>,
  ) {}

  /** Up to `limit` events of a stream after revision `after` (-1: from the start), oldest first. */
  async page(streamName: string, after: number, limit: number): Promise<RecordedEvent[]> {
    const raw = await this.#read(streamName, after + 1, limit);
    const upcast = upcastingReaderFor(this.client).inOrder(streamName, after + 1);
    const events: RecordedEvent[] = [];
    for (const stored of raw) events.push(await upcast(stored));
    return events;
  }

  /** Revision of a stream's last event; -1 when it has none. */
  async lastRevision(streamName: string): Promise<number> {
    let last = -1;
    try {
      for await (const resolved of this.client.readStream(streamName, {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      })) {
        if (resolved.event) last = Number(resolved.event.revision);
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return last;
  }

  /** The event of a stream at a revision, upcast; undefined when there is none. */
  async eventAt(streamName: string, revision: number): Promise<RecordedEvent | undefined> {
    const [stored] = await this.#read(streamName, revision, 1);
    if (!stored || stored.revision !== revision) return undefined;
    return upcastingReaderFor(this.client).upcast(stored);
  }

  /**
   * The account as it stood at a moment: every event at or before it folded with the write
   * side's evolve. At a time, that is up to the last event stamped at or before it (a stream's
   * events are stamped in order). Undefined before the account existed.
   */
  async accountAsOf(accountId: string, moment: Moment): Promise<AccountAsOf | undefined> {
    if ('revision' in moment && moment.revision < 0) return undefined;
    const stream = accountStreamName(accountId);
    const fits = (event: { revision: number; occurredAt: Date }) =>
      'revision' in moment ? event.revision <= moment.revision : event.occurredAt <= moment.at;
    const snapshot = await this.#snapshotFor(stream, (s) =>
      fits({ revision: s.revision, occurredAt: new Date(s.occurredAt) }),
    );
    let state = snapshot?.state ?? accountDecider.initialState;
    let revision = snapshot?.revision ?? -1;
    let asOf = snapshot ? new Date(snapshot.occurredAt) : undefined;
    const upcast = upcastingReaderFor(this.client).inOrder(stream, revision + 1);
    for (let done = false; !done; ) {
      const limit = 'revision' in moment ? Math.min(PAGE, moment.revision - revision) : PAGE;
      if (limit <= 0) break;
      const page = await this.#read(stream, revision + 1, limit);
      done = page.length < limit;
      for (const stored of page) {
        const event = await upcast(stored);
        const at = occurredAt(event);
        if (!fits({ revision: event.revision, occurredAt: at })) {
          done = true;
          break;
        }
        state = accountDecider.evolve(state, event as never);
        revision = event.revision;
        asOf = at;
      }
    }
    if (!state.exists || !asOf) return undefined;
    return { state, revision, asOf };
  }

  /** The newest usable snapshot that fits, if the stream still holds its event. */
  async #snapshotFor(
    stream: string,
    fits: (snapshot: Snapshot<AccountState>) => boolean,
  ): Promise<Snapshot<AccountState> | undefined> {
    const snapshots = this.accountSnapshots;
    if (!snapshots) return undefined;
    const snapshot = await snapshots.atOrBefore(stream, fits);
    if (!snapshot) return undefined;
    return (await snapshots.matchesStream(stream, snapshot)) ? snapshot : undefined;
  }

  /** Stored events of a stream from a revision, read to the end of the range. */
  async #read(streamName: string, from: number, limit: number): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamName, {
        direction: FORWARDS,
        fromRevision: BigInt(Math.max(0, from)),
        maxCount: limit,
      })) {
        const event = resolved.event as JSONRecordedEvent | undefined;
        if (event) events.push(storedEventOf(event));
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return events;
  }
}
