import type { EventStoreDBClient, Position } from '@eventstore/db-client';
import type { Db } from 'mongodb';
import { CONSUMERS_LEASE } from '../leadership/leadership.js';
import { type LeaseDocument, MongoLease } from '../leadership/lease.js';
import type { Logger } from '../logger.js';
import type { CheckpointStore } from '../read/checkpoint-store.js';
import type { CheckpointDocument } from '../read/documents.js';
import { toLong } from '../read/position.js';
import type { Projection } from '../read/projections/index.js';
import type { RecordedEvent } from '../read/recorded-event.js';
import { projectionCheckpointName } from './names.js';
import { RebuildRequests } from './rebuild-requests.js';
import { ShadowBuilder } from './shadow-builder.js';
import { switchIn } from './switch-in.js';

/** How often the projector looks for a copy to switch in. */
const POLL_MS = 250;
/** A backfill asks for the switch once a pass over $all applies fewer events than this. */
const NEAR_HEAD_EVENTS = 200;
/** A leader switches only with this much of its lease left. */
const LEASE_MARGIN_MS = 1500;

/**
 * The projector's side of blue/green rebuilds and backfills (see docs/operations.md):
 *
 * - Batches and switches take turns (one lock), so a switch happens between two batches, when
 *   the live collection reflects exactly the events up to the last batch applied. The copy is
 *   caught up to that position, renamed over the live collection, and the next batch writes
 *   the new copy: nothing is applied to the old copy after the copy's last event, and nothing
 *   applied to the old copy is missing from the new one.
 * - A projection with no checkpoint while the others have one is new to this ledger: it is
 *   left out of the live set (so the others go on from their checkpoint, not from 0) and
 *   backfilled into its copy from position 0 with a checkpoint of its own, then switched in the
 *   same way and added to the live set with the checkpoint of the position it joined at.
 */
export class ProjectionSwitching {
  /** The subscription's checkpoint names: the live projections'. Mutated on adoption. */
  readonly checkpointNames: string[];
  readonly #all: readonly Projection[];
  #live: Projection[];
  #lock: Promise<unknown> = Promise.resolve();
  #applied: Position | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #polling = false;
  readonly #stopping = new AbortController();
  #backfills: Promise<void>[] = [];
  readonly #requests: RebuildRequests;
  readonly #adopted = new Map<string, () => void>();
  readonly #whenLive = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: {
      client: EventStoreDBClient;
      db: Db;
      projections: readonly Projection[];
      checkpoints: CheckpointStore;
      /** The leader's lease token; 0 without leadership. */
      token: number;
      logger: Logger;
    },
  ) {
    this.#all = deps.projections;
    this.#live = [...deps.projections];
    this.checkpointNames = this.#live.map((p) => projectionCheckpointName(p.name));
    this.#requests = new RebuildRequests(deps.db);
  }

  /** The projections the projector writes now. */
  get live(): readonly Projection[] {
    return this.#live;
  }

  /** Resolves once `name` is in the live set: at once, or when its backfill switched in. */
  whenLive(name: string): Promise<void> {
    if (this.#live.some((p) => p.name === name)) return Promise.resolve();
    let promise = this.#whenLive.get(name);
    if (!promise) {
      promise = new Promise((resolve) => this.#adopted.set(name, resolve));
      this.#whenLive.set(name, promise);
    }
    return promise;
  }

  /** Leaves out the projections new to this ledger, before the subscription loads its checkpoint. */
  async init(): Promise<Projection[]> {
    const names = this.#all.map((p) => projectionCheckpointName(p.name));
    const stored = await this.deps.db
      .collection<CheckpointDocument>('checkpoints')
      .find({ _id: { $in: names } }, { projection: { _id: 1 } })
      .toArray();
    // A ledger never projected starts every projection together, from 0.
    if (stored.length === 0) return [];
    const have = new Set(stored.map((doc) => doc._id));
    const newcomers = this.#all.filter((p) => !have.has(projectionCheckpointName(p.name)));
    this.#live = this.#all.filter((p) => have.has(projectionCheckpointName(p.name)));
    this.checkpointNames.splice(0, this.checkpointNames.length, ...[...have]);
    return newcomers;
  }

  /** Starts looking for switches, and backfills the newcomers. */
  start(newcomers: readonly Projection[]): void {
    this.#timer = setInterval(() => void this.poll(), POLL_MS);
    this.#timer.unref?.();
    this.#backfills = newcomers.map((p) => this.backfill(p));
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#stopping.abort();
    await Promise.all(this.#backfills);
    await this.#lock.catch(() => undefined);
  }

  /** Applies one batch to the live projections, never during a switch. */
  apply(events: readonly RecordedEvent[], write: (live: readonly Projection[]) => Promise<void>) {
    return this.exclusive(async () => {
      await write(this.#live);
      const last = events.at(-1)?.position;
      if (last && (!this.#applied || last.commit > this.#applied.commit)) this.#applied = last;
    });
  }

  private exclusive<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(step);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  private async poll(): Promise<void> {
    if (this.#polling || this.#stopping.signal.aborted) return;
    this.#polling = true;
    try {
      for (const doc of await this.#requests.pending()) {
        if (this.#stopping.signal.aborted) return;
        const mine = doc.state === 'requested' || (doc.claimedBy ?? -1) >= 0;
        if (mine) await this.exclusive(() => this.switchOne(doc._id));
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, 'switching a rebuilt read model failed; retrying');
    } finally {
      this.#polling = false;
    }
  }

  /** Runs between two batches (under the lock). */
  private async switchOne(name: string): Promise<void> {
    const { token, logger } = this.deps;
    const projection = this.#all.find((p) => p.name === name);
    if (!projection) return; // a projection this version does not have: not ours to switch
    if (!(await this.#requests.claim(name, token))) return;
    const target = this.#applied ?? (await this.storedPosition());
    const started = performance.now();
    await switchIn({
      client: this.deps.client,
      db: this.deps.db,
      requests: this.#requests,
      projection,
      token,
      target,
      stillAllowed: token > 0 ? () => this.stillLeading() : undefined,
    });
    if (!this.#live.includes(projection)) {
      // Adopted: the next batch writes it, and its checkpoint is the position it joined at.
      this.#live.push(projection);
      this.checkpointNames.push(projectionCheckpointName(name));
      if (target) {
        await this.deps.checkpoints.save([projectionCheckpointName(name)], target, new Date());
      }
      this.#adopted.get(name)?.();
    }
    await this.#requests.complete(name, token, toLong(target?.commit ?? -1n), new Date());
    logger.info(
      {
        projection: name,
        position: String(target?.commit ?? 'start'),
        ms: Math.round(performance.now() - started),
      },
      'rebuilt read model switched in',
    );
  }

  /** Where the live projections stood when this run began: the lowest stored checkpoint. */
  private async storedPosition(): Promise<Position | undefined> {
    let lowest: Position | undefined;
    for (const name of this.checkpointNames) {
      const position = await this.deps.checkpoints.load(name);
      if (position && (!lowest || position.commit < lowest.commit)) lowest = position;
    }
    return lowest;
  }

  private async stillLeading(): Promise<boolean> {
    const lease = await this.deps.db
      .collection<LeaseDocument>(MongoLease.COLLECTION)
      .findOne({ _id: CONSUMERS_LEASE });
    return (
      lease?.token === this.deps.token && lease.expiresAt.getTime() - Date.now() > LEASE_MARGIN_MS
    );
  }

  /** Builds a newcomer's copy from 0 while the others stay live, then asks for its switch. */
  private async backfill(projection: Projection): Promise<void> {
    const { logger } = this.deps;
    const signal = this.#stopping.signal;
    try {
      const doc = await this.#requests.begin(projection.name, true, new Date());
      if (doc.state !== 'building') return; // already requested: the poll switches it
      const builder = new ShadowBuilder(this.deps.client, this.deps.db, projection);
      await builder.prepare();
      logger.info({ projection: projection.name }, 'new read model: backfilling from the start');
      const started = performance.now();
      while ((await builder.catchUp({ signal })) >= NEAR_HEAD_EVENTS) {
        // Events kept coming during the pass: another, shorter one.
      }
      await this.#requests.request(projection.name, new Date());
      logger.info(
        {
          projection: projection.name,
          events: builder.events,
          ms: Math.round(performance.now() - started),
        },
        'backfill caught up; switching it in',
      );
    } catch (error) {
      if (signal.aborted) return; // stopping: the next leader resumes from the copy's checkpoint
      logger.error({ err: error, projection: projection.name }, 'backfill failed');
    }
  }
}
