import {
  type EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { deterministicId } from './envelope.js';

/**
 * Which account each hold belongs to. A hold lives in its account's stream, but captureHold and
 * releaseHold name only the hold, and the read models may lag behind a hold placed a moment
 * ago. So placeHold first records the account in the stream `hold-<holdId>` (one event,
 * created once), and only then reserves the money. A crash or a refusal in between leaves a
 * record of a hold the account never had, which reads as HoldNotFoundError, as it should.
 *
 * Records never change, so every one seen is cached (bounded, least recently used first).
 */
export class HoldDirectory {
  readonly #known = new Map<string, string>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly maxCached = 10_000,
  ) {}

  async record(
    holdId: string,
    accountId: string,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    if (this.#known.get(holdId) === accountId) return;
    try {
      await this.client.appendToStream(
        streamOf(holdId),
        jsonEvent({
          id: deterministicId(`hold-account:${holdId}`),
          type: 'HoldAccountRecorded',
          data: { holdId, accountId },
          metadata,
        }),
        { expectedRevision: NO_STREAM },
      );
      this.#remember(holdId, accountId);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const existing = await this.accountOf(holdId);
      // Hold ids are random, or derived from the key and the account: another account here is a bug.
      if (existing !== accountId) throw new Error(`hold ${holdId} is recorded on another account`);
    }
  }

  /** The account of a hold, or undefined when no hold of that id was ever placed. */
  async accountOf(holdId: string): Promise<string | undefined> {
    const cached = this.#known.get(holdId);
    if (cached) return cached;
    let accountId: string | undefined;
    try {
      // Read to the end: a read left early keeps its gRPC call open.
      for await (const resolved of this.client.readStream(streamOf(holdId), { maxCount: 1 })) {
        const data = resolved.event?.data as { accountId?: string } | undefined;
        if (data?.accountId) accountId = data.accountId;
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    if (accountId) this.#remember(holdId, accountId);
    return accountId;
  }

  #remember(holdId: string, accountId: string): void {
    this.#known.delete(holdId);
    this.#known.set(holdId, accountId);
    if (this.#known.size > this.maxCached) {
      const oldest = this.#known.keys().next().value;
      if (oldest !== undefined) this.#known.delete(oldest);
    }
  }
}

const streamOf = (holdId: string) => `hold-${holdId}`;
