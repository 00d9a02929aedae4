import type { EventStore } from '../store/event-store.js';
import type { SubscriptionProgress } from '../store/stream-state.js';
import type { ResponseSink } from './response-sink.js';

/**
 * Registers a subscription with the store (for diagnostics) and wakes its loop after every group
 * commit, or when the call is over.
 */
export class SubscriptionWakeup {
  #wake: (() => void) | undefined;
  readonly progress: SubscriptionProgress;

  constructor(store: EventStore, sink: ResponseSink, target: string) {
    this.progress = {
      target,
      delivered: 0,
      buffered: () => sink.call.writableLength,
      blocked: () => sink.blocked,
    };
    store.subscriptions.add(this.progress);
    const unsubscribe = store.onCommit(() => this.wake());
    // However the call ends (the client unsubscribed, went away, or its deadline passed), the
    // store forgets the subscription and its loop wakes to see that it is over.
    void sink.ended.then(() => {
      unsubscribe();
      store.subscriptions.delete(this.progress);
      this.wake();
    });
  }

  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Resolves at the next group commit (or when the call is over). */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }
}
