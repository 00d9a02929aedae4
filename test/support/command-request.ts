import { randomUUID } from 'node:crypto';
import type { CommandRequest } from '../../src/write/request.js';

/** A teller's request as the GraphQL edge hands it to the Ledger, optionally under a key. */
export const tellerRequest = (idempotencyKey?: string): CommandRequest => ({
  actor: 'teller-tess',
  correlationId: randomUUID(),
  occurredAt: new Date().toISOString(),
  ...(idempotencyKey ? { idempotencyKey } : {}),
});
