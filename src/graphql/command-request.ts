import type { CommandRequest } from '../write/request.js';
import type { GraphQLContext } from './context.js';

export interface RequestOptions {
  idempotencyKey?: string | null | undefined;
  expectedRevision?: number | null | undefined;
}

/**
 * Who asks, when, and under which key: what a mutation hands the ledger besides its input.
 * The actor is the verified token's `sub`; the key goes raw, the ledger validates it.
 */
export function commandRequest(context: GraphQLContext, options: RequestOptions): CommandRequest {
  const { idempotencyKey, expectedRevision } = options;
  return {
    actor: context.principal.sub,
    correlationId: context.correlationId,
    occurredAt: context.clock().toISOString(),
    ...(idempotencyKey === null || idempotencyKey === undefined ? {} : { idempotencyKey }),
    ...(expectedRevision === null || expectedRevision === undefined ? {} : { expectedRevision }),
  };
}
