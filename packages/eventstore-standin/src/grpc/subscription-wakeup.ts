import type { EventStore } from '../store/event-store.js';
import type { SubscriptionProgress } from '../store/stream-state.js';
import type { ResponseSink } from './response-sink.js';

/**
 * Registers a subscription with the store (for diagnostics) and wakes its loop after every group
 * commit, or when the call closes.
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
    const close = () => {
      unsubscribe();
      store.subscriptions.delete(this.progress);
      this.wake();
    };
    sink.call.on('cancelled', close);
    sink.call.on('close', close);
    sink.call.on('finish', close);
  }

  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Resolves at the next group commit (or when the call closes). */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }
}
