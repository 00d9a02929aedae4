import { Repeater } from 'graphql-yoga';
import { SlowSubscriberError } from './slow-subscriber-error.js';

/** A subscriber that falls this many messages behind is disconnected rather than buffered forever. */
export const MAX_PENDING_MESSAGES = 1000;

export interface SubscriberLimits {
  /** How many updates may wait for the client before it is dropped as too slow. */
  maxPending: number;
  /** Told when the subscriber is dropped: the caller logs and counts it. */
  onDropped(details: { maxPending: number; afterRevision: number }): void;
}

/** What a subscription body can do with its subscriber. */
export interface Subscriber<T> {
  /**
   * Queues a value for the client. Never throws and never waits, so it is safe inside the
   * shared change-stream dispatch; a queue over its bound ends this subscription only.
   */
  push(value: T): void;
  /** Resolves once the queue has room (or the subscription ended): catch-up reads await it. */
  room(): Promise<void>;
  /** Ends this subscription as too slow (for example, live updates piled up during catch-up). */
  overflow(): void;
  /** Registers cleanup for when the subscription ends, whoever ends it. */
  onStop(cleanup: () => void): void;
  /** True once the subscription ended: the body stops reading. */
  readonly stopped: boolean;
}

/**
 * The queue of one subscriber, as a Repeater buffer: never full, so a push never waits or
 * throws (the Repeater throws past 1024 waiting pushes, which is what used to end the shared
 * change stream); the subscription enforces the bound itself, and learns here when the client
 * took a value.
 */
class SubscriberQueue<T> {
  readonly #values: T[] = [];
  #onRemove: () => void = () => undefined;
  readonly full = false;

  get empty(): boolean {
    return this.#values.length === 0;
  }
  get length(): number {
    return this.#values.length;
  }
  add(value: T): void {
    this.#values.push(value);
  }
  remove(): T {
    const value = this.#values.shift() as T;
    this.#onRemove();
    return value;
  }
  onRemove(callback: () => void): void {
    this.#onRemove = callback;
  }
}

/**
 * Runs `body` as a subscription source with a bounded queue per subscriber. A client that stops
 * reading fills only its own queue; once over the bound, it receives the updates already queued,
 * then a SlowSubscriberError naming the revision to resume after, and the subscription ends.
 *
 * The error travels as the last value: graphql-js raises an Error a resolver returns as that
 * field's error, so the client gets it as an ordinary payload after the updates before it, over
 * SSE and WebSocket alike.
 */
export function subscriptionSource<T extends { revision: number }>(
  body: (subscriber: Subscriber<T>) => Promise<void>,
  limits: SubscriberLimits,
): AsyncIterableIterator<T> {
  const queue = new SubscriberQueue<T>();
  return new Repeater<T>(async (push, stop) => {
    const cleanups: Array<() => void> = [];
    let roomWaiters: Array<() => void> = [];
    let ended = false;
    let lastQueued: number | undefined;
    const wakeRoomWaiters = () => {
      const waiters = roomWaiters;
      roomWaiters = [];
      for (const wake of waiters) wake();
    };
    queue.onRemove(() => {
      if (queue.length < limits.maxPending) wakeRoomWaiters();
    });
    const end = () => {
      ended = true;
      for (const cleanup of cleanups.splice(0)) cleanup();
      wakeRoomWaiters();
    };
    const subscriber: Subscriber<T> = {
      push(value) {
        if (ended) return;
        if (queue.length >= limits.maxPending) return subscriber.overflow();
        lastQueued = value.revision;
        void push(value);
      },
      room() {
        if (ended || queue.length < limits.maxPending) return Promise.resolve();
        return new Promise((resolve) => roomWaiters.push(resolve));
      },
      overflow() {
        if (ended) return;
        const afterRevision = lastQueued ?? -1;
        end();
        limits.onDropped({ maxPending: limits.maxPending, afterRevision });
        // After everything already queued: the client resumes after the last value it got.
        void push(new SlowSubscriberError(limits.maxPending, afterRevision) as unknown as T);
        stop();
      },
      onStop(cleanup) {
        if (ended) cleanup();
        else cleanups.push(cleanup);
      },
      get stopped() {
        return ended;
      },
    };
    try {
      await body(subscriber);
    } catch (error) {
      if (!ended) stop(error);
    }
    await stop;
    end();
  }, queue);
}
