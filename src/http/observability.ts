import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.js';
import type { Logger } from '../logger.js';
import type { TallyMetrics } from '../metrics/metrics.js';

/** How fresh the read models are, as a query's answer reports it. */
export interface ReadModelFreshness {
  /** Commit position the read models have applied up to; null before the first event. */
  position: string | null;
  /** Age of the oldest event they have not applied yet; 0 when caught up. */
  lagMs: number;
}

interface Operation {
  type: string;
  name: string | null;
  principal?: string;
  correlationId?: string;
  outcome?: string;
}

/**
 * Per request: one info log line (operation, principal, correlation id, duration, outcome),
 * tally_graphql_operations_total, and on every query answer `extensions.readModel`, so a client
 * knows how fresh what it read is without asking. A request refused before it runs (401, 400)
 * is logged too, with its status. WebSocket operations have no HTTP response, so their line is
 * written when they finish executing (or when a subscription starts).
 */
export function useObservability(options: {
  metrics: TallyMetrics;
  logger: Logger;
  freshness(): ReadModelFreshness;
}): Plugin<GraphQLContext> {
  const { metrics, logger, freshness } = options;
  const started = new WeakMap<Request, number>();
  const operations = new WeakMap<Request, Operation>();

  const describe = (
    document: DocumentNode,
    operationName: string | undefined,
    context: GraphQLContext,
  ) => {
    const ast = getOperationAST(document, operationName);
    return {
      type: ast?.operation ?? 'unknown',
      name: ast?.name?.value ?? operationName ?? null,
      principal: context.principal?.sub,
      correlationId: context.correlationId,
    } satisfies Operation;
  };
  const logLine = (operation: Operation, durationMs: number, status?: number) =>
    logger.info(
      {
        operation: operation.name,
        operationType: operation.type,
        principal: operation.principal,
        correlationId: operation.correlationId,
        outcome: operation.outcome,
        ...(status !== undefined ? { status } : {}),
        durationMs: Math.round(durationMs * 10) / 10,
      },
      'request',
    );

  return {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onExecute({ args }) {
      const context = args.contextValue as GraphQLContext & { request?: Request };
      const operation: Operation = describe(
        args.document,
        args.operationName ?? undefined,
        context,
      );
      const request = context.request;
      const begun = performance.now();
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result || 'data' in result)) return; // incremental delivery: not used
          operation.outcome = result.errors?.length ? 'error' : 'ok';
          metrics.graphqlOperations.inc({
            operation_type: operation.type,
            outcome: operation.outcome,
          });
          if (operation.type === 'query') {
            setResult({ ...result, extensions: { ...result.extensions, readModel: freshness() } });
          }
          if (request && started.has(request)) operations.set(request, operation);
          else logLine(operation, performance.now() - begun);
        },
      };
    },
    onSubscribe({ args }) {
      const context = args.contextValue as GraphQLContext & { request?: Request };
      const operation: Operation = describe(
        args.document,
        args.operationName ?? undefined,
        context,
      );
      operation.outcome = 'subscribed';
      metrics.graphqlOperations.inc({ operation_type: 'subscription', outcome: 'subscribed' });
      const request = context.request;
      if (request && started.has(request)) operations.set(request, operation);
      else logLine(operation, 0);
    },
    onResponse({ request, response }) {
      const begun = started.get(request);
      if (begun === undefined) return;
      const url = new URL(request.url);
      if (url.pathname !== '/graphql') return; // /health, /ready, /metrics: not GraphQL requests
      if (response.headers.get('content-type')?.startsWith('text/html')) return; // GraphiQL's page
      const operation = operations.get(request) ?? { type: 'none', name: null, outcome: 'refused' };
      if (!operations.has(request)) {
        metrics.graphqlOperations.inc({ operation_type: 'unknown', outcome: 'refused' });
      }
      logLine(operation, performance.now() - begun, response.status);
    },
  };
}
