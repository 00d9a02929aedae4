import type { MovementData } from '../../domain/account/events.js';
import type { AccountEvent } from '../../domain/account/index.js';
import type { TransactionDocument, TransactionKind } from '../documents.js';
import { toLong } from '../position.js';
import { occurredAt, type RecordedEvent } from '../recorded-event.js';
import type { Projection } from './projection.js';

const kindByEvent: Partial<Record<AccountEvent['type'], TransactionKind>> = {
  MoneyDeposited: 'DEPOSIT',
  MoneyWithdrawn: 'WITHDRAWAL',
  TransferSent: 'TRANSFER_OUT',
  TransferReceived: 'TRANSFER_IN',
  TransferRefunded: 'TRANSFER_REFUND',
};

type TransferFields = { transferId?: string; toAccountId?: string; fromAccountId?: string };

/** transactions: one document per money movement, keyed by account and revision. */
export const transactionsProjection: Projection<TransactionDocument> = {
  name: 'transactions',
  project(recorded) {
    const event = recorded as RecordedEvent<AccountEvent>;
    const kind = kindByEvent[event.type];
    if (!kind || !event.streamId.startsWith('account-')) return [];
    const data = event.data as MovementData & TransferFields;
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
      ...(data.description ? { description: data.description } : {}),
      ...(event.metadata?.actor ? { actor: event.metadata.actor } : {}),
    };
    const { _id, ...fields } = doc;
    return [{ updateOne: { filter: { _id }, update: { $setOnInsert: fields }, upsert: true } }];
  },
};
