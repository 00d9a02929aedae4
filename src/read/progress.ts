/**
 * How far a subscription has got in $all (commit position), and a way to wait for it to pass a
 * position. Used by queries with `consistentWith` and by tests; nothing ever polls.
 */
export class Progress {
  #reached = -1n;
  #waiters = new Set<{ position: bigint; resolve: () => void }>();

  get reached(): bigint {
    return this.#reached;
  }

  advance(position: bigint): void {
    if (position <= this.#reached) return;
    this.#reached = position;
    for (const waiter of this.#waiters) {
      if (waiter.position <= position) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Resolves true once `position` is reached, or false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (position <= this.#reached) return Promise.resolve(true);
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
}
