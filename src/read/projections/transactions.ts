import type { MovementData } from '../../domain/account/events.js';
import type { AccountEvent } from '../../domain/account/index.js';
import { transactionKindOf } from '../../domain/account/transaction-kinds.js';
import type { TransactionDocument } from '../documents.js';
import { toLong } from '../position.js';
import { occurredAt, type RecordedEvent } from '../recorded-event.js';
import type { Projection } from './projection.js';

type TransferFields = { transferId?: string; toAccountId?: string; fromAccountId?: string };
type OtherFields = {
  holdId?: string;
  reverses?: string;
  reason?: string;
  periodStart?: string;
  periodEnd?: string;
};

/** What a movement says about itself: a fee or reversal its reason, interest its month. */
function describe(data: MovementData & OtherFields, kind: string): string | undefined {
  if (kind === 'FEE' || kind === 'REVERSAL') return data.reason;
  if (kind === 'INTEREST' && data.periodStart && data.periodEnd) {
    return `interest from ${data.periodStart.slice(0, 10)} to ${data.periodEnd.slice(0, 10)}`;
  }
  return data.description;
}

/** transactions: one document per money movement, keyed by account and revision. */
export const transactionsProjection: Projection<TransactionDocument> = {
  name: 'transactions',
  project(recorded) {
    const event = recorded as RecordedEvent<AccountEvent>;
    const kind = transactionKindOf[event.type];
    if (!kind || !event.streamId.startsWith('account-')) return [];
    const data = event.data as MovementData & TransferFields & OtherFields;
    const description = describe(data, kind);
    const counterparty = data.toAccountId ?? data.fromAccountId;
    const doc: TransactionDocument = {
      _id: `${data.accountId}:${event.revision}`,
      accountId: data.accountId,
      revision: event.revision,
      kind,
      amount: data.amount,
      currency: data.currency,
      balanceAfter: data.balanceAfter,
      occurredAt: occurredAt(event),
      position: toLong(event.position.commit),
      ...(data.transferId ? { transferId: data.transferId } : {}),
      ...(counterparty ? { counterpartyAccountId: counterparty } : {}),
      ...(description ? { description } : {}),
      ...(data.holdId ? { holdId: data.holdId } : {}),
      ...(data.reverses ? { reverses: data.reverses } : {}),
      ...(event.metadata?.actor ? { actor: event.metadata.actor } : {}),
    };
    const { _id, ...fields } = doc;
    return [{ updateOne: { filter: { _id }, update: { $setOnInsert: fields }, upsert: true } }];
  },
};
