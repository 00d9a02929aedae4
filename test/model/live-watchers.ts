import type { Tally } from '../../src/app.js';
import { subscribeOverSse } from '../support/sse.js';
import type { Json } from '../support/test-tally.js';

const BALANCE_CHANGED = `subscription ($id: ID!) { balanceChanged(accountId: $id) { revision } }`;

/**
 * A dashboard watching one account's balance: it reads every update as it comes, and can be
 * asked to wait until it has seen a given revision. Its revisions must be contiguous.
 */
export class Watcher {
  readonly revisions: number[] = [];
  readonly errors: Json[] = [];
  #waiters: Array<{ revision: number; resolve: () => void }> = [];
  readonly #subscription;

  constructor(
    tally: Tally,
    readonly accountId: string,
  ) {
    this.#subscription = subscribeOverSse(tally, BALANCE_CHANGED, { id: accountId });
    void this.#read();
  }

  async #read(): Promise<void> {
    try {
      for (;;) {
        const message = await this.#subscription.next();
        if (message.errors) this.errors.push(...message.errors);
        const revision = message.data?.balanceChanged?.revision;
        if (typeof revision !== 'number') continue;
        this.revisions.push(revision);
        for (const waiter of this.#waiters.filter((w) => w.revision <= revision)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    } catch {
      // Hung up at the end of the run.
    }
  }

  /** Resolves once the watcher has seen `revision` (the last revision of the account's stream). */
  sees(revision: number): Promise<void> {
    if ((this.revisions.at(-1) ?? -1) >= revision) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ revision, resolve }));
  }

  close(): void {
    this.#subscription.close();
  }
}

/** A subscriber that never reads what it is sent: it may only ever hurt itself. */
export function slowSubscriber(tally: Tally, accountId: string) {
  return subscribeOverSse(tally, BALANCE_CHANGED, { id: accountId });
}
