import { FixedBuffer, Repeater } from 'graphql-yoga';

/** A subscriber that falls this many messages behind is disconnected rather than buffered forever. */
export const MAX_PENDING_MESSAGES = 1000;

/**
 * Runs `body` as a subscription source: it may push values, and registers cleanup for when
 * the client goes away. A client too slow to keep up gets an error instead of unbounded memory.
 */
export function subscriptionSource<T>(
  body: (push: (value: T) => Promise<void>, onStop: (cleanup: () => void) => void) => Promise<void>,
): AsyncIterableIterator<T> {
  return new Repeater<T>(async (push, stop) => {
    const cleanups: Array<() => void> = [];
    // Resolves when the buffer has room again, so a replay can await it for backpressure.
    const safePush = (value: T): Promise<void> =>
      push(value).then(
        () => undefined,
        (error: unknown) => {
          stop(error);
        },
      );
    try {
      await body(safePush, (cleanup) => cleanups.push(cleanup));
    } catch (error) {
      stop(error);
    }
    await stop;
    for (const cleanup of cleanups) cleanup();
  }, new FixedBuffer(MAX_PENDING_MESSAGES));
}
