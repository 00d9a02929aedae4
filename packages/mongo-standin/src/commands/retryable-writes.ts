import { Binary, Long } from 'bson';
import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import { keyOf } from '../data/index-key.js';

/** A retryable write's place: its session and the session's transaction number. */
export interface RetryKey {
  session: string;
  /** The `lsid.id` as sent, for error messages. */
  sessionId: unknown;
  txnNumber: bigint;
}

interface LastWrite {
  txnNumber: bigint;
  reply: Document;
}

/**
 * Replies of writes that carried `lsid` + `txnNumber`, so a retry of the same statement is
 * answered from here instead of being applied twice (MongoDB's retryable writes).
 *
 * As mongod's `config.transactions`, one entry per session: its newest write. A retry of that
 * write gets its reply; a write with an older `txnNumber` than the session's newest gets 225
 * TransactionTooOld (drivers only ever retry a session's newest write, and a newer number means
 * the older write is settled). So memory grows with the sessions, not with the writes: before,
 * every write's reply was kept until 50,000 had accumulated.
 *
 * mongod reaps idle sessions after 30 minutes; here the least recently written sessions are
 * forgotten past `capacity`. Two generations of Maps, not one LRU Map: evicting a Map's oldest
 * entry one at a time is quadratic in V8.
 */
export class RetryableWrites {
  #current = new Map<string, LastWrite>();
  #previous = new Map<string, LastWrite>();

  constructor(private readonly capacity = 20_000) {}

  key(body: Document): RetryKey | undefined {
    if (body.lsid === undefined || body.txnNumber === undefined) return undefined;
    const sessionId = (body.lsid as Document).id;
    return { session: keyOf(sessionId), sessionId, txnNumber: txnNumberOf(body.txnNumber) };
  }

  /** The reply of this very write if it ran; throws 225 if the session has moved past it. */
  get(key: RetryKey): Document | undefined {
    const last = this.#current.get(key.session) ?? this.#previous.get(key.session);
    if (!last || last.txnNumber < key.txnNumber) return undefined;
    if (last.txnNumber === key.txnNumber) return last.reply;
    throw new MongoCommandError(
      225,
      `Retryable write with txnNumber ${key.txnNumber} is prohibited on session ${showSession(key.sessionId)} because a newer retryable write with txnNumber ${last.txnNumber} has already started on this session.`,
      'TransactionTooOld',
    );
  }

  remember(key: RetryKey, reply: Document): void {
    const last = this.#current.get(key.session) ?? this.#previous.get(key.session);
    // A write that raced past a newer one of its session must not make that one retryable again.
    if (last && last.txnNumber > key.txnNumber) return;
    this.#current.set(key.session, { txnNumber: key.txnNumber, reply });
    if (this.#current.size >= this.capacity / 2) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
  }
}

function txnNumberOf(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (value instanceof Long) return value.toBigInt();
  return BigInt(Math.trunc(Number(value)));
}

/** The session as mongod's messages show an lsid's id. */
function showSession(id: unknown): string {
  if (id instanceof Binary && id.sub_type === Binary.SUBTYPE_UUID) {
    return `{ id: UUID("${id.toUUID().toHexString(true)}") }`;
  }
  return `{ id: ${String(id)} }`;
}
