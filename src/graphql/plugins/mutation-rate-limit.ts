import { useRateLimiter } from '@envelop/rate-limiter';
import { GraphQLError } from 'graphql';
import type { GraphQLContext } from '../context.js';

export interface MutationRateLimit {
  /** Mutations one principal may send per window, per mutation field. */
  max: number;
  /** A duration such as "1m". */
  window: string;
}

/**
 * Per-principal limits on every mutation, by envelop's rate limiter. Past the limit the request
 * is refused before anything runs, with a retryable RATE_LIMITED error and Retry-After.
 */
export function useMutationRateLimit(limit: MutationRateLimit) {
  return useRateLimiter({
    identifyFn: (context) => (context as GraphQLContext).principal.sub,
    configByField: [{ type: 'Mutation', field: '*', max: limit.max, window: limit.window }],
    transformError: (message) =>
      new GraphQLError(`Rate limited: ${message}`, {
        extensions: {
          code: 'RATE_LIMITED',
          retryable: true,
          retryAfter: limit.window,
          http: { status: 429, headers: { 'Retry-After': String(seconds(limit.window)) } },
        },
      }),
  });
}

function seconds(window: string): number {
  const match = /^(\d+)\s*(ms|s|m|h)?$/.exec(window.trim());
  if (!match) return 60;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] ?? 'ms'] ?? 1;
  return Math.max(1, Math.ceil(Number(match[1]) * unit));
}
