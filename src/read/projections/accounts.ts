import type { AnyBulkWriteOperation } from 'mongodb';
import type { AccountEvent } from '../../domain/account/index.js';
import type { AccountDocument } from '../documents.js';
import { toLong } from '../position.js';
import { occurredAt, type RecordedEvent } from '../recorded-event.js';
import type { Projection } from './projection.js';

const statusAfter = {
  AccountFrozen: 'FROZEN',
  AccountUnfrozen: 'OPEN',
  AccountClosed: 'CLOSED',
} as const;

/** accounts: one document per account with its balance, status, revision and position. */
export const accountsProjection: Projection<AccountDocument> = {
  name: 'accounts',
  project(recorded) {
    if (!recorded.streamId.startsWith('account-')) return [];
    const event = recorded as RecordedEvent<AccountEvent>;
    const stamp = {
      revision: event.revision,
      position: toLong(event.position.commit),
      updatedAt: occurredAt(event),
    };
    const id = event.streamId.slice('account-'.length);
    switch (event.type) {
      case 'AccountOpened': {
        const data = event.data as Extract<AccountEvent, { type: 'AccountOpened' }>['data'];
        return [
          {
            updateOne: {
              filter: { _id: id },
              update: {
                $setOnInsert: {
                  ownerId: data.ownerId,
                  currency: data.currency,
                  balance: 0,
                  status: 'OPEN',
                  openedAt: stamp.updatedAt,
                  ...stamp,
                },
              },
              upsert: true,
            },
          },
        ];
      }
      case 'MoneyDeposited':
      case 'MoneyWithdrawn':
      case 'TransferSent':
      case 'TransferReceived':
      case 'TransferRefunded': {
        const { balanceAfter } = event.data as { balanceAfter: number };
        return [guardedSet(id, event.revision, { balance: balanceAfter, ...stamp })];
      }
      case 'FeeCharged':
      case 'InterestPaid':
      case 'TransactionReversed': {
        const { balanceAfter } = event.data as { balanceAfter: number };
        return [guardedSet(id, event.revision, { balance: balanceAfter, ...stamp })];
      }
      case 'HoldCaptured': {
        const { balanceAfter, heldAfter } = event.data as {
          balanceAfter: number;
          heldAfter: number;
        };
        return [
          guardedSet(id, event.revision, { balance: balanceAfter, held: heldAfter, ...stamp }),
        ];
      }
      // The events carry the total held after them, so the document sets it, never adds to it.
      case 'FundsReserved':
      case 'FundsReleased':
      case 'HoldExpired': {
        const { heldAfter } = event.data as { heldAfter: number };
        return [guardedSet(id, event.revision, { held: heldAfter, ...stamp })];
      }
      case 'InterestRateChanged': {
        const { annualRate } = event.data as { annualRate: string };
        return [guardedSet(id, event.revision, { interestRate: annualRate, ...stamp })];
      }
      case 'TransferDelivered':
        // No money moves, but the document must still reach the stream's revision.
        return [guardedSet(id, event.revision, stamp)];
      case 'AccountFrozen':
      case 'AccountUnfrozen':
      case 'AccountClosed':
        return [guardedSet(id, event.revision, { status: statusAfter[event.type], ...stamp })];
      default:
        return [];
    }
  },
};

function guardedSet(
  id: string,
  revision: number,
  fields: Partial<AccountDocument>,
): AnyBulkWriteOperation<AccountDocument> {
  return {
    updateOne: { filter: { _id: id, revision: { $lt: revision } }, update: { $set: fields } },
  };
}
