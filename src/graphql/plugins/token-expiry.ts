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

/**
 * The source's events until the token expires, then one UNAUTHENTICATED error and the end. A
 * hand-written iterator rather than an async generator: a generator suspended in await cannot
 * be returned, so a client hanging up on an idle subscription would never release its source.
 */
function untilExpiry(source: AsyncIterableIterator<Result>, expiresAtMs: number) {
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const expired = new Promise<'expired'>((resolve) => {
    // setTimeout's limit is 2^31-1 ms (about 24 days); a longer-lived token is re-armed.
    const arm = () => {
      const wait = expiresAtMs - Date.now();
      if (wait <= 0) return resolve('expired');
      timer = setTimeout(arm, Math.min(wait, 2 ** 31 - 1));
    };
    arm();
  });
  const finish = async () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    await source.return?.();
  };
  const end = { done: true, value: undefined } as const;
  const iterator: AsyncIterableIterator<Result> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      if (finished) return end;
      const next = await Promise.race([source.next(), expired]);
      if (finished) return end;
      if (next === 'expired') {
        await finish();
        return { done: false, value: { errors: [tokenExpired()] } };
      }
      if (next.done) await finish();
      return next;
    },
    async return() {
      await finish();
      return end;
    },
    async throw(error: unknown) {
      await finish();
      throw error;
    },
  };
  return iterator;
}

function tokenExpired(): GraphQLError {
  return new GraphQLError(
    'Unauthenticated: the token expired; subscribe again with a fresh token',
    {
      extensions: { code: 'UNAUTHENTICATED' },
    },
  );
}
