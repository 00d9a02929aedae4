import {
  type AllStreamJSONRecordedEvent,
  type EventStoreDBClient,
  FORWARDS,
  type Position,
  START,
} from '@eventstore/db-client';
import type { AnyBulkWriteOperation, Collection, Db, Document } from 'mongodb';
import { CheckpointStore } from '../read/checkpoint-store.js';
import type { CheckpointDocument } from '../read/documents.js';
import type { Projection } from '../read/projections/index.js';
import { type RecordedEvent, upcastRecordedEvent } from '../read/recorded-event.js';
import { rebuildCheckpointName, shadowCollectionName } from './names.js';

/** Only Tally's streams, as the projector's server-side filter (src/read/projector.ts). */
const TALLY_STREAM_PREFIXES = ['account-', 'transfer-'];
const PAGE = 500;

export interface BuildProgress {
  /** Tally events applied by this builder since it was created. */
  events: number;
  /** The position of the last event read, Tally's or not. */
  position: bigint;
}

/**
 * Builds one projection into its shadow collection (`<name>__rebuild`) from its own checkpoint
 * (`rebuild:<name>`; none: from the start of $all), with the projection's own idempotent
 * writes, so an interrupted build resumes where its checkpoint says and re-applies at most a
 * page. It never touches the live collection: the switch (switch-in.ts) does that, once.
 */
export class ShadowBuilder {
  readonly shadow: Collection<Document>;
  readonly checkpointName: string;
  readonly #checkpoints: CheckpointStore;
  #events = 0;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly db: Db,
    readonly projection: Projection,
  ) {
    this.shadow = db.collection(shadowCollectionName(projection.name));
    this.checkpointName = rebuildCheckpointName(projection.name);
    this.#checkpoints = new CheckpointStore(db.collection<CheckpointDocument>('checkpoints'));
  }

  get events(): number {
    return this.#events;
  }

  /** Where the copy stands: undefined before its first page. */
  position(): Promise<Position | undefined> {
    return this.#checkpoints.load(this.checkpointName);
  }

  /**
   * Gives the shadow the live collection's indexes (before documents arrive, as the live one
   * had them), so the renamed copy answers the same queries as fast. A copy without a
   * checkpoint is a leftover of nothing resumable: it is emptied first.
   */
  async prepare(): Promise<void> {
    if (!(await this.position())) await this.shadow.drop().catch(() => undefined);
    const live = this.db.collection(this.projection.name);
    const indexes = await live
      .listIndexes()
      .toArray()
      .catch(() => [] as Document[]);
    for (const index of indexes) {
      if (index.name === '_id_') continue;
      const { key, name, v: _v, ns: _ns, ...options } = index;
      await this.shadow.createIndex(key, { ...options, name });
    }
  }

  /**
   * Applies the events after the checkpoint up to `until` (a commit position, inclusive), or to
   * the end of $all as it is when each page is read. Returns how many Tally events it applied.
   */
  async catchUp(
    options: {
      until?: bigint;
      signal?: AbortSignal;
      onPage?: (progress: BuildProgress) => void;
    } = {},
  ): Promise<number> {
    let from = await this.position();
    let applied = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const page: RecordedEvent[] = [];
      let last: Position | undefined;
      let read = 0;
      let beyond = false;
      // Each page is read to its end: a read left half-way never releases its gRPC call.
      for await (const resolved of this.client.readAll({
        direction: FORWARDS,
        fromPosition: from ?? START,
        maxCount: PAGE,
      })) {
        const event = resolved.event as AllStreamJSONRecordedEvent | undefined;
        read++;
        if (!event?.position || (from && !isAfter(event.position, from))) continue;
        if (options.until !== undefined && event.position.commit > options.until) {
          beyond = true;
          continue;
        }
        if (beyond) continue;
        last = event.position;
        if (!event.isJson || !TALLY_STREAM_PREFIXES.some((p) => event.streamId.startsWith(p))) {
          continue;
        }
        page.push(await upcastRecordedEvent(this.client, event));
      }
      await this.apply(page);
      applied += page.length;
      this.#events += page.length;
      if (last) {
        await this.#checkpoints.save([this.checkpointName], last, new Date());
        from = last;
      }
      options.onPage?.({ events: this.#events, position: from?.commit ?? -1n });
      if (beyond || read < PAGE || !last) return applied;
    }
  }

  /** One ordered bulkWrite: an account's document is created before it changes. */
  private async apply(events: readonly RecordedEvent[]): Promise<void> {
    const operations = events.flatMap((e) =>
      this.projection.project(e),
    ) as AnyBulkWriteOperation<Document>[];
    if (operations.length > 0) await this.shadow.bulkWrite(operations, { ordered: true });
  }

  /** After the switch: the copy is live, and its checkpoint means nothing any more. */
  async forgetCheckpoint(): Promise<void> {
    await this.db
      .collection<CheckpointDocument>('checkpoints')
      .deleteOne({ _id: this.checkpointName });
  }
}

/** (commit, prepare) order: the events of one append share a commit position. */
export function isAfter(a: Position, b: Position): boolean {
  return a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);
}
