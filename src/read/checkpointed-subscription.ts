import { EventEmitter } from 'node:events';
import {
  type AllStreamJSONRecordedEvent,
  BACKWARDS,
  END,
  type EventStoreDBClient,
  type Filter,
  type Position,
  START,
} from '@eventstore/db-client';
import type { Logger } from '../logger.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { watchMongoRestarts } from './mongo-restarts.js';
import {
  DEFAULT_RETRY_POLICY,
  type EventGuard,
  EventParking,
  type ParkedEventConsumer,
  ParkedEventStore,
  type RetryPolicy,
  UNGUARDED,
} from './parking/index.js';
import { Progress } from './progress.js';
import { type RecordedEvent, upcastRecordedEvent } from './recorded-event.js';

export interface SubscriptionSpec {
  /** Names the subscription in logs, and the consumer of the events it parks. */
  name: string;
  /** Checkpoint documents this subscription keeps; it starts from the lowest. */
  checkpointNames: readonly string[];
  /** Server-side filter; its checkpoint callback is supplied here. */
  filter: Omit<Filter, 'checkpointReached'>;
  /**
   * Applies one batch; must be idempotent, since a batch is replayed after a crash. A batch
   * that throws is retried, then applied event by event, and the event that still fails is
   * parked. A handler that applies events independently (the process manager) uses `guard`
   * to retry and park each event itself, so one bad event does not hold up the others.
   */
  handleBatch(events: RecordedEvent[], guard: EventGuard): Promise<void>;
  maxBatchSize?: number;
  /**
   * Save the checkpoint at most this often (default: after every batch). Progress, and so
   * consistentWith, still advances after every batch; a crash replays at most this much,
   * which only an idempotent handler may allow.
   */
  checkpointEveryMs?: number;
  /** How a failing event is retried before it is parked (default: DEFAULT_RETRY_POLICY). */
  retry?: RetryPolicy;
}

export class CheckpointAheadError extends Error {
  // Named, so the projector's thread can say which error stopped it (projector-thread/).
  override name = 'CheckpointAheadError';
}

/** How long to wait before resubscribing after the subscription failed. */
const RETRY_DELAYS_MS = [100, 500, 1000, 2000, 5000];

export interface SubscriptionEvents {
  /** Progress went back to what MongoDB provably holds, after the server may have lost writes. */
  rewound: [{ to: bigint; reason: string }];
}

/**
 * A catch-up subscription to $all that applies events in batches and stores its checkpoint in
 * MongoDB after each batch. It reads with for-await, so a slow consumer applies backpressure to
 * the gRPC stream instead of buffering without bound.
 *
 * When the MongoDB server restarts or fails over, writes it acknowledged may be gone, while
 * progress says they were applied. The subscription then holds every consistentWith waiter,
 * reloads the checkpoint stored in MongoDB (written after the documents it covers, so what
 * survived of it is what provably survived), rewinds progress to it and resubscribes from there.
 */
export class CheckpointedSubscription
  extends EventEmitter<SubscriptionEvents>
  implements ParkedEventConsumer
{
  readonly progress = new Progress();
  #stopped = false;
  readonly #stopping = new AbortController();
  #current: { unsubscribe(): Promise<void>; destroy(): void } | undefined;
  #running: Promise<void> | undefined;
  #unsaved: Position | undefined;
  #savedAt = 0;
  /** Saves run one after another, so a slow earlier save never overwrites a newer checkpoint. */
  #saving: Promise<void> = Promise.resolve();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by each suspected MongoDB restart; a batch of an older run commits nothing. */
  #generation = 0;
  #rewind: { reason: string } | undefined;
  #unwatch: (() => void) | undefined;
  readonly #parking: EventParking;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly checkpoints: CheckpointStore,
    private readonly spec: SubscriptionSpec,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
    this.#parking = new EventParking(
      spec.name,
      ParkedEventStore.inDatabase(checkpoints.database),
      spec.retry ?? DEFAULT_RETRY_POLICY,
      logger,
      this.#stopping.signal,
      clock,
    );
  }

  get name(): string {
    return this.spec.name;
  }

  /** Loads the checkpoint, checks it against the store, then runs until stop(). */
  async start(): Promise<void> {
    const from = await this.loadCheckpoint();
    await this.assertNotAheadOfStore(from);
    if (from) this.progress.advance(from.commit);
    this.#unwatch = watchMongoRestarts(this.checkpoints.database.client, (reason, details) =>
      this.suspectLostWrites(reason, details),
    );
    this.#running = this.runForever();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unwatch?.();
    this.#stopping.abort();
    await this.endCurrent();
    await this.#running;
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    // A last save that fails (the store is already gone) costs only a replay from the last
    // saved checkpoint, which every consumer's guards make harmless: log it, do not throw.
    if (this.#unsaved) {
      await this.save(this.#unsaved).catch((error: unknown) =>
        this.logger.warn(
          { err: error, subscription: this.spec.name },
          'could not save the checkpoint on stop; the next start replays from the last saved one',
        ),
      );
    }
  }

  /** Applies one event once, through the same handler, outside the subscription: a replay. */
  async replay(event: RecordedEvent): Promise<void> {
    await this.spec.handleBatch([event], UNGUARDED);
  }

  /**
   * MongoDB may have lost acknowledged writes: stop trusting progress now (no waiter is
   * released), and end the current run; the next one rewinds to the stored checkpoint.
   */
  private suspectLostWrites(reason: string, details: Record<string, unknown>): void {
    if (this.#stopped) return;
    this.#generation++;
    this.progress.doubt();
    if (this.#rewind) return; // already rewinding: one warning per restart, not per connection
    this.#rewind = { reason };
    this.logger.warn(
      { subscription: this.spec.name, reason, ...details },
      'MongoDB may have lost acknowledged writes; rewinding to the checkpoint it holds',
    );
    void this.endCurrent();
  }

  private async endCurrent(): Promise<void> {
    const subscription = this.#current;
    this.#current = undefined;
    await subscription?.unsubscribe().catch(() => undefined);
    // The client swallows its own cancellation and never ends the stream; end it here so the
    // consuming loop returns.
    subscription?.destroy();
  }

  private async runForever(): Promise<void> {
    for (let failures = 0; !this.#stopped; ) {
      try {
        const generation = this.#generation;
        const from = await this.loadCheckpoint();
        // Another suspected restart while the checkpoint was loading: load it again.
        if (generation !== this.#generation) continue;
        if (this.#rewind) this.rewindTo(from);
        await this.runOnce(from, generation);
        failures = 0;
      } catch (error) {
        if (this.#stopped) return;
        const delay = RETRY_DELAYS_MS[Math.min(failures++, RETRY_DELAYS_MS.length - 1)];
        this.logger.error(
          { err: error, subscription: this.spec.name },
          'subscription failed; resubscribing',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Progress goes back to the checkpoint MongoDB holds now; re-applying from it brings it back. */
  private rewindTo(from: Position | undefined): void {
    const reason = this.#rewind?.reason ?? 'unknown';
    const to = from?.commit ?? -1n;
    this.#rewind = undefined;
    // A checkpoint not yet saved belongs to the run that may have lost its writes.
    this.#unsaved = undefined;
    this.progress.rewind(to);
    this.logger.warn(
      { subscription: this.spec.name, reason, to: String(to) },
      'progress rewound to the checkpoint stored in MongoDB; re-applying from there',
    );
    this.emit('rewound', { to, reason });
  }

  private async runOnce(from: Position | undefined, generation: number): Promise<void> {
    const maxBatchSize = this.spec.maxBatchSize ?? 500;
    let busy = false;
    let pendingCheckpoint: Position | undefined;
    const subscription = this.client.subscribeToAll(
      {
        fromPosition: from ?? START,
        filter: {
          ...this.spec.filter,
          // Filtered-out events still move the checkpoint, so a wait never hangs on them. The
          // callback runs after every earlier event was handed to us; it may apply only once they
          // have all been applied, hence the hand-over to the loop below when it is busy.
          checkpointReached: async (_subscription, position) => {
            if (busy || subscription.readableLength > 0) {
              pendingCheckpoint = position;
              return;
            }
            // The client does not handle this callback's failures: a save refused because
            // MongoDB went away (or Tally is stopping) was an unhandled rejection. A later
            // checkpoint saves it.
            await this.commit(position, generation).catch((error: unknown) => {
              if (this.#stopped) return;
              this.logger.warn(
                { err: error, subscription: this.spec.name },
                'could not save the checkpoint; the next one saves it',
              );
            });
          },
        } as Filter,
      },
      // Buffer up to a batch: under load, events queue here and are applied a batch at a
      // time; beyond it, backpressure reaches the gRPC stream.
      { highWaterMark: maxBatchSize },
    );
    this.#current = subscription;
    if (this.#stopped || generation !== this.#generation) await this.endCurrent();
    let batch: RecordedEvent[] = [];
    for await (const resolved of subscription) {
      const event = resolved.event as AllStreamJSONRecordedEvent | undefined;
      if (!event?.isJson) continue;
      busy = true;
      batch.push(await upcastRecordedEvent(this.client, event));
      if (batch.length < maxBatchSize && subscription.readableLength > 0) continue;
      // Retried, isolated and parked as needed: this returns once every event is applied or
      // parked, so the checkpoint moves past a bad event instead of stopping on it forever.
      await this.#parking.applyBatch(batch, (events) =>
        this.spec.handleBatch(events, this.#parking),
      );
      const last = batch[batch.length - 1]!;
      await this.commit(last.position, generation, completesItsAppend(last));
      batch = [];
      if (pendingCheckpoint && subscription.readableLength === 0) {
        if (pendingCheckpoint.commit > this.progress.reached) {
          await this.commit(pendingCheckpoint, generation);
        }
        pendingCheckpoint = undefined;
      }
      busy = false;
    }
  }

  /**
   * `complete` is false when events of the same append (which share one commit position) are
   * still to come: progress then stops just short of that commit, so `consistentWith` on it
   * waits for the whole append, not only its first event.
   */
  private async commit(position: Position, generation: number, complete = true): Promise<void> {
    // A run that a suspected restart ended must not move anything: what it applied may be lost.
    if (generation !== this.#generation) return;
    if (position.commit <= this.progress.reached) return;
    const interval = this.spec.checkpointEveryMs ?? 0;
    const elapsed = performance.now() - this.#savedAt;
    if (interval === 0) await this.save(position);
    else if (elapsed >= interval) this.saveInBackground(position);
    else this.deferSave(position, interval - elapsed);
    if (generation === this.#generation) {
      this.progress.advance(complete ? position.commit : position.commit - 1n);
    }
  }

  /**
   * A deferred checkpoint is saved when its interval ends even if no later event arrives, so the
   * stored checkpoint of a quiet ledger still reaches its head (`tally verify` waits on it).
   */
  private deferSave(position: Position, delayMs: number): void {
    this.#unsaved = position;
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      const unsaved = this.#unsaved;
      // While a restart is suspected, nothing the old run applied may be vouched for.
      if (!unsaved || this.#stopped || this.progress.inDoubt) return;
      this.saveInBackground(unsaved);
    }, delayMs);
    this.#flushTimer.unref?.();
  }

  /**
   * Saves without holding up the next batch: the save is one more MongoDB round trip, and once
   * a second it delayed every event queued behind it (the push latency's tail). Saves still run
   * in order; a failed one is logged, and the next interval's saves a later position.
   */
  private saveInBackground(position: Position): void {
    this.#unsaved = position;
    this.#savedAt = performance.now();
    this.save(position).catch((error) =>
      this.logger.warn(
        { err: error, subscription: this.spec.name },
        'could not save the checkpoint; the next batch saves it',
      ),
    );
  }

  private save(position: Position): Promise<void> {
    const saved = this.#saving.then(async () => {
      await this.checkpoints.save(this.spec.checkpointNames, position, this.clock());
      this.#savedAt = performance.now();
      if (this.#unsaved && this.#unsaved.commit <= position.commit) this.#unsaved = undefined;
    });
    this.#saving = saved.catch(() => undefined);
    return saved;
  }

  private async loadCheckpoint(): Promise<Position | undefined> {
    const positions = await Promise.all(
      this.spec.checkpointNames.map((n) => this.checkpoints.load(n)),
    );
    if (positions.some((p) => p === undefined)) return undefined;
    return (positions as Position[]).reduce((lowest, p) => (p.commit < lowest.commit ? p : lowest));
  }

  /** A checkpoint beyond the end of $all means the store was replaced; skipping silently would lose data. */
  private async assertNotAheadOfStore(from: Position | undefined): Promise<void> {
    if (!from) return;
    let last: Position | undefined;
    for await (const resolved of this.client.readAll({
      direction: BACKWARDS,
      fromPosition: END,
      maxCount: 1,
    })) {
      last = resolved.event?.position;
    }
    if (!last || from.commit > last.commit) {
      throw new CheckpointAheadError(
        `${this.spec.name}: checkpoint ${from.commit} is ahead of the event store's last position ` +
          `${last?.commit ?? 'none'}; the event store was reset or replaced. Drop the read models ` +
          `(checkpoints collection included) to rebuild them from the new store.`,
      );
    }
  }
}

/**
 * Whether an event is the last of the append that wrote it. Tally stamps each event with its
 * index among the command's events; events without the stamp were appended one at a time.
 */
function completesItsAppend(event: RecordedEvent): boolean {
  const { eventIndex, eventCount } = event.metadata as { eventIndex?: number; eventCount?: number };
  if (typeof eventIndex !== 'number' || typeof eventCount !== 'number') return true;
  return eventIndex === eventCount - 1;
}
