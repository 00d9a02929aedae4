import type { TransactionDocument } from '../../read/documents.js';
import { STAFF_READ } from '../auth/rules.js';
import { builder } from '../builder.js';
import { MoneyType } from '../shared/money.js';

export const TransactionKindEnum = builder.enumType('TransactionKind', {
  values: [
    'DEPOSIT',
    'WITHDRAWAL',
    'TRANSFER_OUT',
    'TRANSFER_IN',
    'TRANSFER_REFUND',
    'FEE',
    'INTEREST',
    'HOLD_CAPTURE',
    'REVERSAL',
  ] as const,
});

export const TransactionType = builder.objectRef<TransactionDocument>('Transaction').implement({
  description: 'One money movement on an account, from the read model.',
  authScopes: (tx) => ({ ...STAFF_READ, accountOwner: tx.accountId }),
  fields: (t) => ({
    id: t.exposeID('_id'),
    accountId: t.exposeID('accountId'),
    kind: t.field({ type: TransactionKindEnum, resolve: (tx) => tx.kind }),
    amount: t.field({
      type: MoneyType,
      resolve: (tx) => ({ minor: tx.amount, currency: tx.currency }),
    }),
    balanceAfter: t.field({
      type: MoneyType,
      resolve: (tx) => ({ minor: tx.balanceAfter, currency: tx.currency }),
    }),
    occurredAt: t.field({ type: 'DateTime', resolve: (tx) => tx.occurredAt }),
    revision: t.exposeInt('revision', {
      description: 'Revision of the account event that moved the money',
    }),
    transferId: t.exposeID('transferId', { nullable: true }),
    counterpartyAccountId: t.exposeID('counterpartyAccountId', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    actor: t.exposeString('actor', {
      nullable: true,
      description:
        'Who moved the money, as recorded in the event (the `sub` of the token that asked)',
    }),
  }),
});
