import { randomUUID } from 'node:crypto';
import { ValidationError } from '../domain/errors.js';
import { type CommandContext, commandIdForKey } from '../write/envelope.js';
import type { GraphQLContext } from './context.js';

export interface CommandOptions {
  idempotencyKey?: string | null | undefined;
  expectedRevision?: number | null | undefined;
  reason?: string | undefined;
}

/**
 * The metadata of one mutation's command. With an idempotency key the command id is derived
 * from it, so a retried request is recognised and appends nothing new.
 */
export function commandContext(
  context: GraphQLContext,
  mutation: string,
  options: CommandOptions,
): CommandContext {
  const key = idempotencyKey(options.idempotencyKey);
  const commandId = key === undefined ? randomUUID() : commandIdForKey(mutation, key);
  const { expectedRevision } = options;
  if (expectedRevision !== null && expectedRevision !== undefined && expectedRevision < -1) {
    throw new ValidationError('expectedRevision', 'must be -1 (no stream) or a stream revision');
  }
  return {
    commandId,
    actor: context.actor,
    correlationId: context.correlationId,
    causationId: context.correlationId,
    occurredAt: context.clock().toISOString(),
    ...(expectedRevision === null || expectedRevision === undefined ? {} : { expectedRevision }),
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  };
}

export function idempotencyKey(key: string | null | undefined): string | undefined {
  if (key === null || key === undefined) return undefined;
  if (key.length < 1 || key.length > 200) {
    throw new ValidationError('idempotencyKey', 'must be 1 to 200 characters');
  }
  return key;
}
