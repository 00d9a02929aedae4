import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createYoga, maskError } from 'graphql-yoga';
import type { GraphQLContext, TallyServices } from './context.js';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiql-query.js';
import { schema } from './schema.js';

/** Request headers, from a fetch Request (HTTP, SSE) or a Node request (graphql-ws upgrade). */
interface ServerContext {
  request?: Request;
  req?: IncomingMessage;
}

function header(context: ServerContext, name: string): string | undefined {
  const value = context.request?.headers.get(name) ?? context.req?.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text && text.length <= 200 ? text : undefined;
}

/**
 * The GraphQL server as a fetch handler: tests call yoga.fetch() with no port, and the
 * HTTP/WebSocket server in server.ts mounts it.
 */
export function createTallyYoga(services: TallyServices) {
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    context: (serverContext) => ({
      ...services,
      // No authentication yet: the caller names itself, and every event records that name.
      actor: header(serverContext, 'x-actor') ?? 'anonymous',
      correlationId: header(serverContext, 'x-correlation-id') ?? randomUUID(),
    }),
    graphiql: { title: 'Tally', defaultQuery: GRAPHIQL_DEFAULT_QUERY },
    logging: false,
    maskedErrors: {
      // Business-rule failures are data, and GraphQLErrors are meant for the client; anything
      // else is a bug: log it with its stack, and tell the client only that it happened.
      maskError(error, message, isDev) {
        const original = (error as { originalError?: unknown }).originalError ?? error;
        services.logger.error(
          { err: original },
          'unexpected error while executing a GraphQL operation',
        );
        return maskError(error, message, isDev);
      },
    },
    plugins: [
      // Refuse hostile documents before they run.
      EnvelopArmorPlugin({
        maxDepth: { n: 12 },
        maxAliases: { n: 20 },
        maxTokens: { n: 2000 },
        maxDirectives: { n: 20 },
        costLimit: { maxCost: 10_000 },
        blockFieldSuggestion: { enabled: false },
      }),
    ],
  });
}

export type TallyYoga = ReturnType<typeof createTallyYoga>;
