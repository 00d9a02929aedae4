import { createHash } from 'node:crypto';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';

/** The JSON metadata of every event Tally appends (DESIGN.md §1, event envelope). */
export interface EventMetadata {
  actor: string;
  correlationId: string;
  causationId: string;
  commandId: string;
  occurredAt: string;
  schemaVersion: number;
  /** Hash of the request's canonical input, to tell a retry from a reuse of the same key. */
  inputHash: string;
  reason?: string;
  /** This event's index among the events its command appended together, and their number. */
  eventIndex?: number;
  eventCount?: number;
}

export const SCHEMA_VERSION = 1;

/** Who sends a command, when, and why: everything a command carries besides its data. */
export interface CommandContext {
  /** Deterministic when the client gave an idempotency key, so a retry is recognised. */
  commandId: string;
  actor: string;
  correlationId: string;
  causationId: string;
  /** ISO-8601 time of the command, from the clock at the edge; domain code has no clock. */
  occurredAt: string;
  /**
   * For a process step: the $all commit position of the event that caused it. Its events come
   * after that event, which spares a fold cache that forgot older commands a whole-stream search.
   */
  causedAt?: bigint;
  /** When the client passed one, a stale write is a conflict instead of a silent retry. */
  expectedRevision?: number;
  reason?: string;
  /**
   * Hash of the request's canonical input, to recognise a retry ("7" and "7.00" are the same
   * amount). Defaults to a hash of the command itself.
   */
  inputHash?: string;
}

/** Namespace for ids derived from idempotency keys and process-manager steps (a fixed random UUID). */
const TALLY_NAMESPACE = '1b671a64-40d5-491e-99b0-da01ff1339f1';
/** Parsed once: given as a string, uuid parses the namespace again for every id (a quarter of the cost). */
const TALLY_NAMESPACE_BYTES = parseUuid(TALLY_NAMESPACE);

export function deterministicId(name: string): string {
  return uuidv5(name, TALLY_NAMESPACE_BYTES);
}

/**
 * The command id for a client's idempotency key. A key names one request of one principal,
 * across every mutation and every account: it is not scoped by mutation or stream, so reusing
 * it anywhere else is recognised (and refused). Scoping by principal keeps one customer's keys
 * from colliding with, or revealing, another's.
 */
export function commandIdForKey(actor: string, idempotencyKey: string): string {
  return deterministicId(`idempotency-key:${actor}:${idempotencyKey}`);
}

/**
 * Event ids derive from the command id, so appending the same command's events twice is
 * recognised by EventStoreDB as the same write.
 */
export function eventIdFor(commandId: string, index: number): string {
  return deterministicId(`${commandId}/${index}`);
}

export function hashInput(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('base64url');
}
