import { setTimeout as sleep } from 'node:timers/promises';
import { isInfrastructureFailure } from './infrastructure-failure.js';

/** How often, and how patiently, a consumer retries an event before parking it. */
export interface RetryPolicy {
  /** Attempts in all, the first one included; at least 1. */
  readonly attempts: number;
  /** How long to wait after the `failedAttempts`-th failure before trying again. */
  delayMs(failedAttempts: number): number;
}

/** Doubles the delay after each failure, from `firstDelayMs` up to `maxDelayMs`. */
export function exponentialBackoff(options: {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}): RetryPolicy {
  return {
    attempts: Math.max(1, options.attempts),
    delayMs: (failed) =>
      Math.min(options.maxDelayMs, options.firstDelayMs * 2 ** Math.max(0, failed - 1)),
  };
}

/**
 * Five attempts over about 1.5 s: long enough to ride out a conflict storm or a slow store,
 * short enough that one bad event holds the others up only briefly.
 */
export const DEFAULT_RETRY_POLICY = exponentialBackoff({
  attempts: 5,
  firstDelayMs: 100,
  maxDelayMs: 800,
});

export type AttemptOutcome =
  | { succeeded: true }
  | { succeeded: false; error: unknown; attempts: number };

/**
 * Runs `run` until it succeeds or the policy's attempts are used up. An infrastructure failure
 * (a store unreachable) is rethrown at once: it says nothing about the event, so riding it out is
 * the subscription's job (it resubscribes from its checkpoint), and parking would be wrong.
 * `signal` cuts a backoff short when the consumer stops.
 */
export async function attemptWithRetries(
  policy: RetryPolicy,
  run: () => Promise<void>,
  signal?: AbortSignal,
): Promise<AttemptOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run();
      return { succeeded: true };
    } catch (error) {
      if (isInfrastructureFailure(error) || signal?.aborted) throw error;
      if (attempt >= policy.attempts) return { succeeded: false, error, attempts: attempt };
      await sleep(policy.delayMs(attempt), undefined, { signal });
    }
  }
}
