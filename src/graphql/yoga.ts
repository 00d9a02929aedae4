import { randomUUID } from 'node:crypto';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { authenticate, header, type ServerContext } from './authenticate.js';
import type { GraphQLContext, TallyServices } from './context.js';
import { maskErrorsFor } from './error-masking.js';
import { GRAPHIQL_OPTIONS, renderOfflineGraphiQL } from './graphiql-query.js';
import { useJsonRequestsOnly } from './plugins/json-only.js';
import { type MutationRateLimit, useMutationRateLimit } from './plugins/mutation-rate-limit.js';
import { useNoIntrospection } from './plugins/no-introspection.js';
import { useQueryLimits } from './plugins/query-limits.js';
import { useRequestBodyLimit } from './plugins/request-body-limit.js';
import { useSubscriptionsEndWithToken } from './plugins/token-expiry.js';
import { schema } from './schema.js';

/** How the API is exposed: who may call it and what it shows them. */
export interface ApiOptions {
  verifyToken: TokenVerifier;
  /** GraphiQL, introspection and field suggestions; off in production unless GRAPHIQL=true. */
  exposeSchema: boolean;
  /** Origins allowed cross-origin; empty means same origin only. */
  corsOrigins: readonly string[];
  mutationRateLimit: MutationRateLimit;
}

export const DEFAULT_MUTATION_RATE_LIMIT: MutationRateLimit = { max: 600, window: '1m' };

/**
 * The GraphQL server as a fetch handler: tests call yoga.fetch() with no port, and the
 * HTTP/WebSocket server in server.ts mounts it. Every request is authenticated before it runs.
 */
export function createTallyYoga(
  services: TallyServices,
  api: ApiOptions,
  /** Operations' plugins (/ready, /metrics, request logs, extensions.readModel), run first. */
  operations: Plugin[] = [],
) {
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    context: async (serverContext) => {
      const principal = await authenticate(serverContext, api.verifyToken);
      return {
        ...services,
        principal,
        actor: principal.sub,
        correlationId: header(serverContext, 'x-correlation-id') ?? randomUUID(),
      };
    },
    graphiql: api.exposeSchema ? GRAPHIQL_OPTIONS : false,
    // Served from the installed package, never a CDN: GraphiQL works with no internet access.
    renderGraphiQL: renderOfflineGraphiQL,
    landingPage: false,
    // Never reflect an arbitrary origin: only listed ones get a grant, and no credentials
    // (tokens travel in a header, not a cookie).
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (!origin || !api.corsOrigins.includes(origin)) return false as never;
      return {
        origin: [origin],
        credentials: false,
        methods: ['GET', 'POST'],
        allowedHeaders: ['authorization', 'content-type', 'x-correlation-id'],
      };
    },
    multipart: false,
    logging: false,
    maskedErrors: { maskError: maskErrorsFor(services.logger) },
    plugins: [
      ...operations,
      useJsonRequestsOnly(),
      // GET queries must carry a header a cross-site form or image cannot send.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'authorization'] }),
      useQueryLimits({ blockFieldSuggestions: !api.exposeSchema }),
      ...(api.exposeSchema ? [] : [useNoIntrospection()]),
      useMutationRateLimit(api.mutationRateLimit) as Plugin,
      useSubscriptionsEndWithToken() as Plugin,
      // After every request parser, so it wraps whichever one is chosen.
      useRequestBodyLimit(),
    ],
    maxRequestBodySize: false, // useRequestBodyLimit, cheaper
  });
}

export type TallyYoga = ReturnType<typeof createTallyYoga>;
