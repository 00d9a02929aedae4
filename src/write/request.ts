/**
 * Who asks for a command, when, and under which idempotency key: everything a mutation carries
 * besides its input, as the GraphQL edge hands it to the ledger.
 */
export interface CommandRequest {
  /** The principal's `sub`, or a system principal for internal writers. */
  actor: string;
  /** The client's X-Correlation-Id, or one generated for the request. */
  correlationId: string;
  /** ISO-8601 time from the clock at the edge; domain code has no clock. */
  occurredAt: string;
  /** The client's key, raw: the ledger validates it and derives every id from it. */
  idempotencyKey?: string;
  /** When the client passed one, a stale write is a conflict instead of a silent retry. */
  expectedRevision?: number;
}
