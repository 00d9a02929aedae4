import type { CurrencyCode } from '../../domain/money.js';
import type { TransferStatus } from '../../domain/transfer/index.js';
import { STAFF_READ } from '../auth/rules.js';
import { builder } from '../builder.js';
import { MoneyType } from '../shared/money.js';

export const TransferStatusEnum = builder.enumType('TransferStatus', {
  values: ['PENDING', 'COMPLETED', 'REFUNDED'] as const,
});

/** A transfer as the API shows it, whether read from the read model or returned by the write side. */
export interface TransferView {
  id: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  currency: CurrencyCode;
  status: TransferStatus;
  reason?: string | undefined;
  description?: string | undefined;
}

export const TransferType = builder.objectRef<TransferView>('Transfer').implement({
  // A customer sees a transfer only when it owns one of its two accounts.
  authScopes: (transfer) => ({
    ...STAFF_READ,
    accountOwner: transfer.fromAccountId,
    $any: { accountOwner: transfer.toAccountId },
  }),
  fields: (t) => ({
    id: t.exposeID('id'),
    fromAccountId: t.exposeID('fromAccountId'),
    toAccountId: t.exposeID('toAccountId'),
    amount: t.field({
      type: MoneyType,
      resolve: (transfer) => ({ minor: transfer.amount, currency: transfer.currency }),
    }),
    status: t.field({ type: TransferStatusEnum, resolve: (transfer) => transfer.status }),
    reason: t.exposeString('reason', {
      nullable: true,
      description: 'Why the target refused the money, when the transfer was refunded',
    }),
    description: t.exposeString('description', { nullable: true }),
  }),
});
