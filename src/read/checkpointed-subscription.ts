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
import { Progress } from './progress.js';
import { type RecordedEvent, toRecordedEvent } from './recorded-event.js';

export interface SubscriptionSpec {
  /** Names the subscription in logs. */
  name: string;
  /** Checkpoint documents this subscription keeps; it starts from the lowest. */
  checkpointNames: readonly string[];
  /** Server-side filter; its checkpoint callback is supplied here. */
  filter: Omit<Filter, 'checkpointReached'>;
  /** Applies one batch; must be idempotent, since a batch is replayed after a crash. */
  handleBatch(events: RecordedEvent[]): Promise<void>;
  maxBatchSize?: number;
  /**
   * Save the checkpoint at most this often (default: after every batch). Progress, and so
   * consistentWith, still advances after every batch; a crash replays at most this much,
   * which only an idempotent handler may allow.
   */
  checkpointEveryMs?: number;
}

export class CheckpointAheadError extends Error {}

/** How long to wait before resubscribing after the subscription failed. */
const RETRY_DELAYS_MS = [100, 500, 1000, 2000, 5000];

/**
 * A catch-up subscription to $all that applies events in batches and stores its checkpoint in
 * MongoDB after each batch. It reads with for-await, so a slow consumer applies backpressure to
 * the gRPC stream instead of buffering without bound.
 */
export class CheckpointedSubscription {
  readonly progress = new Progress();
  #stopped = false;
  #current: { unsubscribe(): Promise<void>; destroy(): void } | undefined;
  #running: Promise<void> | undefined;
  #unsaved: Position | undefined;
  #savedAt = 0;
  /** Saves run one after another, so a slow earlier save never overwrites a newer checkpoint. */
  #saving: Promise<void> = Promise.resolve();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly checkpoints: CheckpointStore,
    private readonly spec: SubscriptionSpec,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Loads the checkpoint, checks it against the store, then runs until stop(). */
  async start(): Promise<void> {
    const from = await this.loadCheckpoint();
    await this.assertNotAheadOfStore(from);
    if (from) this.progress.advance(from.commit);
    this.#running = this.runForever();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const subscription = this.#current;
    await subscription?.unsubscribe();
    // The client swallows its own cancellation and never ends the stream; end it here so the
    // consuming loop returns.
    subscription?.destroy();
    await this.#running;
    clearTimeout(this.#flushTimer);
    if (this.#unsaved) await this.save(this.#unsaved);
  }

  private async runForever(): Promise<void> {
    for (let failures = 0; !this.#stopped; ) {
      try {
        await this.runOnce(await this.loadCheckpoint());
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

  private async runOnce(from: Position | undefined): Promise<void> {
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
            if (!busy && subscription.readableLength === 0) await this.commit(position);
            else pendingCheckpoint = position;
          },
        } as Filter,
      },
      // Buffer up to a batch: under load, events queue here and are applied a batch at a
      // time; beyond it, backpressure reaches the gRPC stream.
      { highWaterMark: maxBatchSize },
    );
    this.#current = subscription;
    if (this.#stopped) await subscription.unsubscribe();
    let batch: RecordedEvent[] = [];
    for await (const resolved of subscription) {
      const event = resolved.event as AllStreamJSONRecordedEvent | undefined;
      if (!event?.isJson) continue;
      busy = true;
      batch.push(toRecordedEvent(event));
      if (batch.length < maxBatchSize && subscription.readableLength > 0) continue;
      await this.spec.handleBatch(batch);
      await this.commit(batch[batch.length - 1]!.position);
      batch = [];
      if (pendingCheckpoint && subscription.readableLength === 0) {
        if (pendingCheckpoint.commit > this.progress.reached) await this.commit(pendingCheckpoint);
        pendingCheckpoint = undefined;
      }
      busy = false;
    }
  }

  private async commit(position: Position): Promise<void> {
    if (position.commit <= this.progress.reached) return;
    const interval = this.spec.checkpointEveryMs ?? 0;
    const elapsed = performance.now() - this.#savedAt;
    if (elapsed >= interval) await this.save(position);
    else this.deferSave(position, interval - elapsed);
    this.progress.advance(position.commit);
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
      if (!unsaved || this.#stopped) return;
      this.save(unsaved).catch((error) =>
        this.logger.warn(
          { err: error, subscription: this.spec.name },
          'could not save the checkpoint; the next batch saves it',
        ),
      );
    }, delayMs);
    this.#flushTimer.unref?.();
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
