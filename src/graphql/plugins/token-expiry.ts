import { type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../context.js';

type Result = ExecutionResult;

/**
 * A subscription lives no longer than the token that opened it: when the token expires the
 * client receives an UNAUTHENTICATED error and the stream ends, over SSE and WebSocket alike.
 */
export function useSubscriptionsEndWithToken(): Plugin<GraphQLContext> {
  return {
    onSubscribe({ args }) {
      const expiresAt = args.contextValue.principal?.expiresAt;
      if (expiresAt === undefined) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!(Symbol.asyncIterator in result)) return;
          setResult(untilExpiry(result as AsyncIterableIterator<Result>, expiresAt * 1000));
        },
      };
    },
  };
}

async function* untilExpiry(
  source: AsyncIterableIterator<Result>,
  expiresAtMs: number,
): AsyncGenerator<Result> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    // setTimeout's limit is 2^31-1 ms (about 24 days); a longer-lived token is re-armed below.
    const arm = () => {
      const wait = expiresAtMs - Date.now();
      if (wait <= 0) return resolve('expired');
      timer = setTimeout(arm, Math.min(wait, 2 ** 31 - 1));
    };
    arm();
  });
  try {
    for (;;) {
      const next = await Promise.race([source.next(), expired]);
      if (next === 'expired') {
        yield {
          errors: [
            new GraphQLError(
              'Unauthenticated: the token expired; subscribe again with a fresh token',
              { extensions: { code: 'UNAUTHENTICATED' } },
            ),
          ],
        };
        return;
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    clearTimeout(timer);
    await source.return?.();
  }
}
