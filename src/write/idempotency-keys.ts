import {
  type EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { ValidationError } from '../domain/errors.js';
import { deterministicId } from './envelope.js';

/** The request a key was first used for: which mutation, and a hash of its canonical input. */
export interface KeyClaim {
  mutation: string;
  fingerprint: string;
}

const REUSED = 'was already used for a different request; use a new key for a new request';

/**
 * Ledger-wide idempotency keys. The first request under a key claims it by creating the stream
 * `idempotency-<commandId>` with one `IdempotencyKeyClaimed` event; the stream can only be
 * created once, so two requests racing with one key cannot both claim it. A later request under
 * the key is the same request (a retry) only if its fingerprint matches; anything else is a
 * ValidationError before a single event is appended anywhere.
 *
 * Claims never change, so every claim seen is cached (bounded, least recently used first).
 */
/** Claims remembered by default (IDEMPOTENCY_CLAIMS_CACHED). */
export const DEFAULT_CLAIMS_CACHED = 10_000;

export class IdempotencyKeys {
  readonly #known = new Map<string, KeyClaim>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly maxCached = DEFAULT_CLAIMS_CACHED,
  ) {}

  /**
   * Refuses a request whose key was claimed by a different one. Reads; never writes. Resolves
   * true when the key is already claimed (by this request: a retry), false when it is free.
   */
  async check(commandId: string, claim: KeyClaim): Promise<boolean> {
    const existing = this.#known.get(commandId) ?? (await this.read(commandId));
    if (existing) assertSameRequest(existing, claim);
    return existing !== undefined;
  }

  /**
   * Claims the key for this request, just before its events are appended. Claiming a key this
   * request already holds (a retry after a crash) succeeds; one held by another request throws.
   * Resolves true when this call created the claim, false when the claim was there already.
   */
  async claim(commandId: string, claim: KeyClaim): Promise<boolean> {
    const known = this.#known.get(commandId);
    if (known) {
      assertSameRequest(known, claim);
      return false;
    }
    try {
      await this.client.appendToStream(
        streamOf(commandId),
        jsonEvent({
          id: deterministicId(`claim:${commandId}`),
          type: 'IdempotencyKeyClaimed',
          data: { ...claim },
        }),
        { expectedRevision: NO_STREAM },
      );
      this.remember(commandId, claim);
      return true;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const existing = await this.read(commandId);
      if (!existing) throw error;
      assertSameRequest(existing, claim);
      return false;
    }
  }

  /** Reads the claim, if any. The read is consumed to its end: one left early holds its call open. */
  private async read(commandId: string): Promise<KeyClaim | undefined> {
    let claim: KeyClaim | undefined;
    try {
      for await (const resolved of this.client.readStream(streamOf(commandId), { maxCount: 1 })) {
        const data = resolved.event?.data as Partial<KeyClaim> | undefined;
        if (data?.mutation && data.fingerprint) {
          claim = { mutation: data.mutation, fingerprint: data.fingerprint };
        }
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    if (claim) this.remember(commandId, claim);
    return claim;
  }

  private remember(commandId: string, claim: KeyClaim): void {
    this.#known.delete(commandId);
    this.#known.set(commandId, claim);
    if (this.#known.size > this.maxCached) {
      const oldest = this.#known.keys().next().value;
      if (oldest !== undefined) this.#known.delete(oldest);
    }
  }
}

function assertSameRequest(existing: KeyClaim, claim: KeyClaim): void {
  if (existing.mutation !== claim.mutation || existing.fingerprint !== claim.fingerprint) {
    throw new ValidationError('idempotencyKey', REUSED);
  }
}

const streamOf = (commandId: string) => `idempotency-${commandId}`;
