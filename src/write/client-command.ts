import { randomUUID } from 'node:crypto';
import { ValidationError } from '../domain/errors.js';
import { type CommandContext, commandIdForKey, deterministicId, hashInput } from './envelope.js';
import type { KeyClaim } from './idempotency-keys.js';
import type { CommandRequest } from './request.js';

/** A client's command, ready to run: its envelope, and the claim its idempotency key makes. */
export interface ClientCommand {
  context: CommandContext;
  /** Present when the client gave an idempotency key. */
  claim?: KeyClaim;
  keyed: boolean;
  /** An id derived from the key (an account or transfer id), so a retry lands on the same stream. */
  derivedId(purpose: string): string;
}

/**
 * Builds the envelope of a client command. `canonicalInput` is the request as it should be
 * compared with a retry: ids lower-cased, amounts in canonical decimal form. Its hash becomes
 * the events' inputHash and the key's fingerprint.
 */
export function prepareClientCommand(
  mutation: string,
  canonicalInput: Record<string, unknown>,
  request: CommandRequest,
): ClientCommand {
  const key = parseIdempotencyKey(request.idempotencyKey);
  const { expectedRevision } = request;
  if (expectedRevision !== undefined && expectedRevision < -1) {
    throw new ValidationError('expectedRevision', 'must be -1 (no stream) or a stream revision');
  }
  const fingerprint = hashInput({ mutation, ...canonicalInput, expectedRevision });
  const commandId = key === undefined ? randomUUID() : commandIdForKey(request.actor, key);
  const context: CommandContext = {
    commandId,
    actor: request.actor,
    correlationId: request.correlationId,
    causationId: request.correlationId,
    occurredAt: request.occurredAt,
    inputHash: fingerprint,
    ...(expectedRevision === undefined ? {} : { expectedRevision }),
  };
  return {
    context,
    keyed: key !== undefined,
    ...(key === undefined ? {} : { claim: { mutation, fingerprint } }),
    derivedId: (purpose) => deterministicId(`${purpose}:${commandId}`),
  };
}

function parseIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > 200) {
    throw new ValidationError('idempotencyKey', 'must be 1 to 200 characters');
  }
  return key;
}
