import { GraphQLError } from 'graphql';
import type { GraphQLContext } from './context.js';

/**
 * Read-your-writes: waits, bounded, until the read models have passed `position`. On timeout
 * the query fails with a typed error naming the position reached, rather than answering stale.
 */
export async function awaitReadModels(
  context: GraphQLContext,
  position: bigint | null | undefined,
): Promise<void> {
  if (position === null || position === undefined) return;
  const { readModelProgress: progress, consistencyTimeoutMs } = context;
  if (await progress.waitFor(position, consistencyTimeoutMs)) return;
  throw new GraphQLError(
    `The read models did not reach position ${position} within ${consistencyTimeoutMs} ms; ` +
      `they are at ${progress.reached < 0n ? 'the start' : progress.reached}. Retry later.`,
    {
      extensions: {
        code: 'CONSISTENCY_TIMEOUT',
        requested: String(position),
        reached: progress.reached < 0n ? null : String(progress.reached),
      },
    },
  );
}

/** The description of every query's `consistentWith` argument. */
export const CONSISTENT_WITH =
  'Wait, bounded, until the read models include this position, such as one a mutation returned';
