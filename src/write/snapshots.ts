import {
  ANY,
  BACKWARDS,
  END,
  type EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  StreamNotFoundError,
} from '@eventstore/db-client';
import { accountDecider } from '../domain/account/index.js';
import { decodeState, encodeState, stateShape } from '../events/state-codec.js';
import type { Logger } from '../logger.js';

/**
 * Snapshots of folded aggregates, so loading a long stream reads the newest snapshot and only
 * the events after it.
 *
 * Where: in EventStoreDB, one stream per aggregate (`snapshot-account-<id>`), each snapshot an
 * event, the stream capped by `$maxCount` so the old ones are scavenged. The write side then
 * needs nothing but the event store (MongoDB is the read side's, and may lag or be rebuilt),
 * a snapshot can never outlive the store it summarises, and backups of the store carry them.
 * The name has no `$`: system streams need admin rights under EventStoreDB's default ACLs, and
 * Tally runs as an ordinary user. The projector's filter (`account-`, `transfer-`) skips them.
 *
 * When: the write side stores one whenever the fold it holds is `every` events past the last
 * snapshot (default 100, SNAPSHOT_EVERY), in the background, after the command's append: a
 * snapshot that fails is logged and changes nothing.
 *
 * Trust: a snapshot records the schema version and the field names of the state it holds; one
 * from another version, or that fails to parse, is ignored and the stream folded whole. It also
 * records the id of the event at its revision, and is used only while the stream still has that
 * event there (a stream deleted and written again never inherits an old snapshot).
 */
export interface SnapshotKind<State> {
  /** Aggregate category, such as `account`. */
  readonly category: string;
  /**
   * Bump when the meaning of the state changes without its field names changing (a field that
   * now counts something else). Changed field names are noticed without it.
   */
  readonly stateSchemaVersion: number;
  /** A state of today's shape, as evolve makes it, to compare a snapshot's fields with. */
  readonly referenceState: State;
}

export interface Snapshot<State> {
  state: State;
  /** Stream revision of the last event folded in. */
  revision: number;
  /** occurredAt of the event at `revision`. */
  occurredAt: string;
  /** Id of the event at `revision`. */
  eventId: string;
}

export interface SnapshotOptions {
  /** Take a snapshot every this many events; 0 turns snapshots off. */
  every: number;
  /** How many snapshots each stream keeps ($maxCount). */
  keep?: number;
  logger?: Logger;
}

/** Event type of a snapshot in its stream. */
export const SNAPSHOT_EVENT = 'StateSnapshot';
export const DEFAULT_SNAPSHOT_EVERY = 100;
/**
 * Snapshots kept per stream. A snapshot is a few hundred bytes, so 1000 of them cost well under
 * a megabyte, and `accountAt` anywhere in the last `1000 × every` events starts from one.
 */
export const DEFAULT_SNAPSHOTS_KEPT = 1000;

export const snapshotStreamOf = (streamName: string) => `snapshot-${streamName}`;

export class SnapshotStore<State> {
  readonly every: number;
  readonly #keep: number;
  readonly #shape: string[];
  /** Streams with a snapshot being written: at most one at a time each. */
  readonly #writing = new Map<string, Promise<void>>();

  constructor(
    private readonly client: EventStoreDBClient,
    readonly kind: SnapshotKind<State>,
    private readonly options: SnapshotOptions,
  ) {
    this.every = Math.max(0, Math.floor(options.every));
    this.#keep = options.keep ?? DEFAULT_SNAPSHOTS_KEPT;
    this.#shape = stateShape(kind.referenceState).split(',');
  }

  get enabled(): boolean {
    return this.every > 0;
  }

  /** Whether a stream's fold, `revision` events in, is due a snapshot after one at `last`. */
  isDue(revision: number, last: number): boolean {
    return this.enabled && revision - last >= this.every;
  }

  /**
   * Stores the fold at `revision` in the background. The event at `revision` is read for its
   * occurredAt and id; a snapshot already being written for the stream makes this one a no-op.
   */
  take(streamName: string, state: State, revision: number): void {
    if (!this.enabled || this.#writing.has(streamName)) return;
    const writing = this.#write(streamName, state, revision)
      .catch((error) =>
        this.options.logger?.warn(
          { err: error, stream: streamName, revision },
          'could not store a snapshot; loading folds from the previous one',
        ),
      )
      .finally(() => this.#writing.delete(streamName));
    this.#writing.set(streamName, writing);
  }

  /** Resolves once every snapshot being written is stored (or has failed). */
  async settled(): Promise<void> {
    while (this.#writing.size > 0) await Promise.all(this.#writing.values());
  }

  /** The newest snapshot of a stream, if it is usable: an older one is older still in shape. */
  async newest(streamName: string): Promise<Snapshot<State> | undefined> {
    return this.atOrBefore(streamName, () => true, 1, 1);
  }

  /**
   * The newest usable snapshot that `fits` (at or before a revision, or a moment), reading the
   * snapshot stream backwards a page at a time. Unusable ones are skipped.
   */
  async atOrBefore(
    streamName: string,
    fits: (snapshot: Snapshot<State>) => boolean,
    pageSize = 100,
    maxPages = Number.POSITIVE_INFINITY,
  ): Promise<Snapshot<State> | undefined> {
    if (!this.enabled) return undefined;
    const stream = snapshotStreamOf(streamName);
    let from: bigint | typeof END = END;
    for (let pages = 0; pages < maxPages; pages++) {
      const page: { revision: bigint; data: unknown }[] = [];
      try {
        // Each page is read to its end: a read left early keeps its gRPC call open.
        for await (const resolved of this.client.readStream(stream, {
          direction: BACKWARDS,
          fromRevision: from,
          maxCount: pageSize,
        })) {
          if (resolved.event) page.push(resolved.event);
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return undefined;
        throw error;
      }
      for (const event of page) {
        const snapshot = this.#decode(event.data);
        if (snapshot && fits(snapshot)) return snapshot;
      }
      const oldest = page[page.length - 1]?.revision;
      if (page.length < pageSize || oldest === undefined || oldest === 0n) return undefined;
      from = oldest - 1n;
    }
    return undefined;
  }

  /**
   * Whether the stream still holds the snapshot's event at its revision; readers check this
   * before folding on from a snapshot.
   */
  async matchesStream(streamName: string, snapshot: Snapshot<State>): Promise<boolean> {
    const event = await this.#eventAt(streamName, snapshot.revision);
    return event?.id === snapshot.eventId;
  }

  async #write(streamName: string, state: State, revision: number): Promise<void> {
    const event = await this.#eventAt(streamName, revision);
    if (!event) return;
    const stream = snapshotStreamOf(streamName);
    const result = await this.client.appendToStream(
      stream,
      jsonEvent({
        type: SNAPSHOT_EVENT,
        data: {
          stateSchemaVersion: this.kind.stateSchemaVersion,
          shape: stateShape(state),
          revision,
          occurredAt: event.occurredAt,
          eventId: event.id,
          state: encodeState(state),
        },
      }),
      { expectedRevision: ANY },
    );
    // The first snapshot of a stream caps it, so old snapshots can be scavenged.
    if (result.nextExpectedRevision === 0n) {
      await this.client.setStreamMetadata(stream, { maxCount: this.#keep });
    }
  }

  async #eventAt(
    streamName: string,
    revision: number,
  ): Promise<{ id: string; occurredAt: string } | undefined> {
    let found: { id: string; occurredAt: string } | undefined;
    try {
      for await (const resolved of this.client.readStream(streamName, {
        direction: FORWARDS,
        fromRevision: BigInt(revision),
        maxCount: 1,
      })) {
        const event = resolved.event;
        if (!event || Number(event.revision) !== revision) continue;
        const metadata = event.metadata as { occurredAt?: unknown } | undefined;
        const occurredAt =
          typeof metadata?.occurredAt === 'string'
            ? metadata.occurredAt
            : event.created.toISOString();
        found = { id: event.id, occurredAt };
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return found;
  }

  /** A snapshot this code can use, or undefined: another version, or not parseable. */
  #decode(data: unknown): Snapshot<State> | undefined {
    try {
      const record = data as Record<string, unknown>;
      if (!record || typeof record !== 'object') return undefined;
      const { stateSchemaVersion, revision, occurredAt, eventId } = record;
      if (stateSchemaVersion !== this.kind.stateSchemaVersion) return undefined;
      if (!Number.isSafeInteger(revision) || (revision as number) < 0) return undefined;
      if (typeof occurredAt !== 'string' || typeof eventId !== 'string') return undefined;
      const state = decodeState(record.state) as State;
      // Every field today's state has must be there: a missing one means an older shape.
      const fields = new Set(stateShape(state).split(','));
      if (!this.#shape.every((field) => fields.has(field))) return undefined;
      return { state, revision: revision as number, occurredAt, eventId };
    } catch {
      return undefined;
    }
  }
}

/**
 * Snapshots of account streams. The reference state is today's evolve applied to an opening,
 * so a snapshot taken before a field was added to the account (holds, interest) is ignored.
 */
export function accountSnapshots(
  client: EventStoreDBClient,
  options: SnapshotOptions,
): SnapshotStore<typeof accountDecider.initialState> {
  const referenceState = accountDecider.evolve(accountDecider.initialState, {
    type: 'AccountOpened',
    data: {
      accountId: '00000000-0000-4000-8000-000000000000',
      ownerId: '00000000-0000-4000-8000-000000000000',
      currency: 'USD' as never,
    },
  });
  return new SnapshotStore(
    client,
    { category: 'account', stateSchemaVersion: 1, referenceState },
    options,
  );
}
