import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '../../src/read/recorded-event.js';
import type { EventMetadata } from '../../src/write/envelope.js';

/**
 * Recorded account events for projection tests, as they would come back from $all: each at its
 * own position unless `samePosition` says it was appended together with the one before.
 */
export class EventLog {
  readonly events: RecordedEvent[] = [];
  #position = 1000n;
  #revisions = new Map<string, number>();

  account(
    accountId: string,
    type: string,
    data: Record<string, unknown>,
    options: { samePosition?: boolean } = {},
  ): RecordedEvent {
    const streamId = `account-${accountId}`;
    const revision = (this.#revisions.get(streamId) ?? -1) + 1;
    this.#revisions.set(streamId, revision);
    this.#position += 100n;
    const prepare = this.#position;
    const commit = options.samePosition ? this.events.at(-1)!.position.commit : prepare;
    const occurredAt = new Date(Date.UTC(2026, 0, 1, 0, 0, this.events.length)).toISOString();
    const event: RecordedEvent = {
      type,
      data: { accountId, ...data },
      metadata: { actor: 'test', occurredAt } as EventMetadata,
      streamId,
      revision,
      position: { commit, prepare },
      created: new Date(occurredAt),
    };
    this.events.push(event);
    return event;
  }

  movement(accountId: string, type: string, amount: number, currency: string, extra = {}) {
    return this.account(accountId, type, { amount, currency, balanceAfter: 0, ...extra });
  }
}

export const newId = () => randomUUID();
