import type { CommandRequest } from '../write/request.js';
import type { GraphQLContext } from './context.js';

export interface RequestOptions {
  idempotencyKey?: string | null | undefined;
  expectedRevision?: number | null | undefined;
}

/** Who asks, when, and under which key: what a mutation hands the ledger besides its input. */
export function commandRequest(context: GraphQLContext, options: RequestOptions): CommandRequest {
  const { idempotencyKey, expectedRevision } = options;
  return {
    actor: context.actor,
    correlationId: context.correlationId,
    occurredAt: context.clock().toISOString(),
    ...(idempotencyKey === null || idempotencyKey === undefined ? {} : { idempotencyKey }),
    ...(expectedRevision === null || expectedRevision === undefined ? {} : { expectedRevision }),
  };
}
