import { Long } from 'mongodb';
import type { AccountEvent } from '../../domain/account/index.js';
import { type TransactionKind, transactionKindOf } from '../../domain/account/transaction-kinds.js';
import type { CurrencyCode } from '../../domain/money.js';
import { toLong } from '../position.js';
import type { RecordedEvent } from '../recorded-event.js';
import type { Projection } from './projection.js';

/** How much money of one kind moved on an account, and in how many transactions. */
export interface KindTotal {
  count: number;
  /** Integer minor units, always positive (a withdrawal's amount, not its sign). */
  amount: Long;
}

/**
 * owners: what each customer holds, kept as one row per account (keyed by the account id, with
 * its owner) because only AccountOpened names the owner: a deposit names its account, and a
 * projection cannot look up whose it is. `Query.owner` sums an owner's rows (one indexed
 * query; a customer has a handful of accounts).
 *
 * Counts and totals must be incremented, so each increment applies only where the row is at an
 * earlier revision of its account stream, and sets the event's revision: a replay, a duplicate
 * or a rebuild over existing rows counts nothing twice (as the integrity projection's guarded
 * `$inc`, with the stream revision instead of the $all position since a row is one stream).
 */
export interface OwnerAccountDocument {
  /** The account id. */
  _id: string;
  ownerId: string;
  currency: CurrencyCode;
  /** The account's balance after the last movement, minor units. */
  balance: number;
  transactionCount: number;
  byKind: Partial<Record<TransactionKind, KindTotal>>;
  /** Revision of the last account event counted. */
  revision: number;
  position: Long;
}

export const ownersProjection: Projection<OwnerAccountDocument> = {
  name: 'owners',
  project(recorded) {
    if (!recorded.streamId.startsWith('account-')) return [];
    const event = recorded as RecordedEvent<AccountEvent>;
    const id = event.streamId.slice('account-'.length);
    const stamp = { revision: event.revision, position: toLong(event.position.commit) };
    if (event.type === 'AccountOpened') {
      const { ownerId, currency } = event.data as { ownerId: string; currency: CurrencyCode };
      return [
        {
          updateOne: {
            filter: { _id: id },
            update: {
              $setOnInsert: { ownerId, currency, balance: 0, transactionCount: 0, ...stamp },
            },
            upsert: true,
          },
        },
      ];
    }
    const kind = transactionKindOf[event.type];
    if (!kind) return [];
    const { amount, balanceAfter } = event.data as { amount: number; balanceAfter: number };
    return [
      {
        updateOne: {
          filter: { _id: id, revision: { $lt: event.revision } },
          update: {
            $inc: {
              transactionCount: 1,
              [`byKind.${kind}.count`]: 1,
              [`byKind.${kind}.amount`]: Long.fromNumber(amount),
            },
            $set: { balance: balanceAfter, ...stamp },
          },
        },
      },
    ];
  },
};
