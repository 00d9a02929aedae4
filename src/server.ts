import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { bearerToken } from './auth/bearer.js';
import type { TokenVerifier } from './auth/token-verifier.js';
import { createDashboardHandler, type DashboardOptions } from './dashboard/handler.js';
import type { TallyYoga } from './graphql/yoga.js';

interface EnvelopedRoot {
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
}

export interface SocketLimits {
  /** Open graphql-ws connections one principal may hold at once. */
  maxConnectionsPerPrincipal: number;
  /** Operations running at once on one connection. */
  maxSubscriptionsPerConnection: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  maxConnectionsPerPrincipal: 10,
  maxSubscriptionsPerConnection: 128,
};

/** Close codes the graphql-ws client reports: 4401 without a valid token, 4429 past a limit. */
const UNAUTHENTICATED = 4401;
const TOO_MANY_CONNECTIONS = 4429;

type Extra = { socket: WebSocket; request: IncomingMessage; sub?: string };

/**
 * HTTP (queries, mutations, SSE subscriptions, GraphiQL) and WebSocket (graphql-ws) on the
 * same path, both through the same yoga instance and so the same plugins and context. A
 * WebSocket is acknowledged only with a valid token in connectionParams.authorization, and
 * every operation on it is authenticated again, so an expired token starts nothing new.
 */
export function createHttpServer(
  yoga: TallyYoga,
  verifyToken: TokenVerifier,
  limits: SocketLimits = DEFAULT_SOCKET_LIMITS,
  dashboard: DashboardOptions = {},
): { server: Server; close(): Promise<void> } {
  const serveDashboard = createDashboardHandler(dashboard);
  const server = createServer((request, response) => {
    if (!serveDashboard(request, response)) void yoga(request, response);
  });
  // Upgrades are routed by hand (noServer), so a listen error reaches only the caller of
  // listen() and is not echoed by the WebSocket server as an "internal error".
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://tally').pathname !== yoga.graphqlEndpoint) {
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });
  const connections = new Map<string, number>();
  const wsServer = useServer(
    {
      onConnect: async (context: Context<Record<string, unknown> | undefined, Extra>) => {
        const { socket } = context.extra;
        let sub: string;
        try {
          const params = context.connectionParams;
          ({ sub } = await verifyToken(
            bearerToken(params?.authorization ?? params?.Authorization),
          ));
        } catch (error) {
          socket.close(UNAUTHENTICATED, reason(error));
          return false;
        }
        const open = connections.get(sub) ?? 0;
        if (open >= limits.maxConnectionsPerPrincipal) {
          socket.close(
            TOO_MANY_CONNECTIONS,
            `Too many connections: at most ${limits.maxConnectionsPerPrincipal} per principal`,
          );
          return false;
        }
        connections.set(sub, open + 1);
        context.extra.sub = sub;
        return true;
      },
      onClose: (context: Context<Record<string, unknown> | undefined, Extra>) => {
        const { sub } = context.extra;
        if (sub === undefined) return;
        const open = (connections.get(sub) ?? 1) - 1;
        if (open > 0) connections.set(sub, open);
        else connections.delete(sub);
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onSubscribe: async (
        context: Context<Record<string, unknown> | undefined, Extra>,
        _id,
        payload,
      ) => {
        // The new operation is already registered, so the count includes it.
        if (Object.keys(context.subscriptions).length > limits.maxSubscriptionsPerConnection) {
          return [
            new GraphQLError(
              `Too many subscriptions: at most ${limits.maxSubscriptionsPerConnection} per connection`,
              { extensions: { code: 'RATE_LIMITED', retryable: true } },
            ),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...context,
          req: context.extra.request,
          socket: context.extra.socket,
          params: payload,
          connectionParams: context.connectionParams ?? {},
        });
        let contextValue: unknown;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName ?? null,
          document: parse(payload.query),
          variableValues: payload.variables ?? null,
          contextValue,
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    sockets,
  );
  return {
    server,
    async close() {
      await wsServer.dispose();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A close reason is at most 123 bytes. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : 'Unauthenticated';
  return Buffer.from(message).subarray(0, 123).toString();
}
