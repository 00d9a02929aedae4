import type { Collection } from 'mongodb';
import type { CheckpointDocument } from '../read/documents.js';
import { fromLong } from '../read/position.js';
import { Progress } from '../read/progress.js';

/** How often an instance reads the leader's stored checkpoints. */
const POLL_MS = 200;

/**
 * The read models' progress as every instance sees it. The leader's projector advances its own
 * Progress at every batch; the others learn how far it got from the checkpoints it stores
 * (a checkpoint is written after the documents it covers, so it never claims too much). While
 * this instance leads, its projector's progress counts too, so its own waits end at once.
 */
export class FollowedProgress extends Progress {
  #source: Progress | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #polling = false;

  constructor(
    private readonly checkpoints: Collection<CheckpointDocument>,
    private readonly names: readonly string[],
  ) {
    super();
  }

  /** The progress of the projector this instance runs while it leads; undefined when it stops. */
  follow(source: Progress | undefined): void {
    this.#source = source;
  }

  override get reached(): bigint {
    const own = super.reached;
    const source = this.#source?.reached;
    return source !== undefined && source > own ? source : own;
  }

  override waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    const source = this.#source;
    const stored = super.waitFor(position, timeoutMs);
    if (!source) return stored;
    // Whichever sees the position first; false only when both time out.
    return new Promise((resolve) => {
      let pending = 2;
      const settle = (reached: boolean) => {
        if (reached) resolve(true);
        else if (--pending === 0) resolve(false);
      };
      stored.then(settle);
      source.waitFor(position, timeoutMs).then(settle);
    });
  }

  async start(): Promise<void> {
    await this.poll();
    this.#timer = setInterval(() => void this.poll(), POLL_MS);
    this.#timer.unref?.();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  private async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const docs = await this.checkpoints.find({ _id: { $in: [...this.names] } }).toArray();
      // A read model still backfilling has no checkpoint yet (src/rebuild): the live ones decide.
      if (docs.length === 0) return;
      const lowest = docs.reduce(
        (low, d) => (fromLong(d.commit) < low ? fromLong(d.commit) : low),
        fromLong(docs[0]!.commit),
      );
      this.advance(lowest);
    } catch {
      // MongoDB unreachable for a moment: /ready reports it; the next poll catches up.
    } finally {
      this.#polling = false;
    }
  }
}
