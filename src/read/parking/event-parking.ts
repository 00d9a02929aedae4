import type { Logger } from '../../logger.js';
import type { RecordedEvent } from '../recorded-event.js';
import type { ParkedEventStore } from './parked-events.js';
import { attemptWithRetries, type RetryPolicy } from './retry-policy.js';

/** How a consumer applies events: each may be retried, and, failing that, parked. */
export interface EventGuard {
  /** Applies one event; resolves once it is applied or parked. */
  apply(event: RecordedEvent, run: () => Promise<void>): Promise<void>;
  /**
   * Applies a batch as one; resolves once every event of it is applied or parked. When the
   * batch keeps failing, its events are applied one by one, so only the one at fault is parked.
   */
  applyBatch(
    events: readonly RecordedEvent[],
    run: (events: RecordedEvent[]) => Promise<void>,
  ): Promise<void>;
}

/**
 * Retries an event a bounded number of times with backoff, then parks it, logs at error level
 * and lets the consumer move on: one bad event must not stop every later one for good.
 * Infrastructure failures are not the event's fault and propagate (see attemptWithRetries).
 */
export class EventParking implements EventGuard {
  constructor(
    private readonly consumer: string,
    private readonly store: ParkedEventStore,
    private readonly policy: RetryPolicy,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async apply(event: RecordedEvent, run: () => Promise<void>): Promise<void> {
    const outcome = await attemptWithRetries(this.policy, run, this.signal);
    if (outcome.succeeded) return;
    const parked = await this.store.park(this.consumer, event, outcome, this.clock());
    this.logger.error(
      {
        err: outcome.error,
        consumer: this.consumer,
        parkedEventId: parked.id,
        streamId: event.streamId,
        revision: event.revision,
        position: String(event.position.commit),
        eventType: event.type,
        attempts: outcome.attempts,
      },
      'event parked: it failed on every attempt; the consumer moved past it, replay it once fixed',
    );
  }

  async applyBatch(
    events: readonly RecordedEvent[],
    run: (events: RecordedEvent[]) => Promise<void>,
  ): Promise<void> {
    if (events.length === 1) return this.apply(events[0]!, () => run([events[0]!]));
    const whole = await attemptWithRetries(this.policy, () => run([...events]), this.signal);
    if (whole.succeeded) return;
    this.logger.warn(
      { err: whole.error, consumer: this.consumer, events: events.length },
      'batch failed on every attempt; applying its events one by one to find the one at fault',
    );
    for (const event of events) await this.apply(event, () => run([event]));
  }
}

/** For a replay: one attempt, and the error is the caller's to see. */
export const UNGUARDED: EventGuard = {
  apply: (_event, run) => run(),
  applyBatch: (events, run) => run([...events]),
};
