/** Where a Progress passes each change it makes, in order (another thread's copy of it). */
export interface ProgressRelay {
  advance(position: bigint): void;
  doubt(): void;
  rewind(position: bigint): void;
}

/**
 * How far a subscription has got in $all (commit position), and a way to wait for it to pass a
 * position. Used by queries with `consistentWith` and by tests; nothing ever polls.
 *
 * The position can go back: when the read models may have lost writes they had acknowledged
 * (their server restarted), the subscription first calls doubt(), which holds every waiter,
 * then rewind() to the point it can prove, and advances again from there as it re-applies.
 */
export class Progress {
  #reached = -1n;
  #inDoubt = false;
  #waiters = new Set<{ position: bigint; resolve: () => void }>();
  #relay: ProgressRelay | undefined;

  /**
   * Passes every later change on to `relay`: the projector's thread keeps the main thread's
   * copy, which queries wait on, in step (src/read/projector-thread).
   */
  relayTo(relay: ProgressRelay): void {
    this.#relay = relay;
  }

  get reached(): bigint {
    return this.#reached;
  }

  /** True between doubt() and rewind(): no waiter is released meanwhile. */
  get inDoubt(): boolean {
    return this.#inDoubt;
  }

  advance(position: bigint): void {
    if (this.#inDoubt || position <= this.#reached) return;
    this.#reached = position;
    this.#relay?.advance(position);
    this.release();
  }

  /**
   * The position reached may be a lie (writes behind it may be lost): hold every waiter, and
   * ignore advances, until rewind() says where the subscription provably is.
   */
  doubt(): void {
    this.#inDoubt = true;
    this.#relay?.doubt();
  }

  /** Goes back to `position` (never forward) and ends the doubt; waiters wait for the re-apply. */
  rewind(position: bigint): void {
    if (position < this.#reached) this.#reached = position;
    this.#inDoubt = false;
    this.#relay?.rewind(position);
    this.release();
  }

  /** Resolves true once `position` is reached, or false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (!this.#inDoubt && position <= this.#reached) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      timer.unref?.();
      this.#waiters.add(waiter);
    });
  }

  private release(): void {
    for (const waiter of this.#waiters) {
      if (waiter.position <= this.#reached) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
