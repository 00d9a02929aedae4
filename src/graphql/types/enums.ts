import { builder } from '../builder.js';

export const AccountStatusEnum = builder.enumType('AccountStatus', {
  values: ['OPEN', 'FROZEN', 'CLOSED'] as const,
});

export const TransactionKindEnum = builder.enumType('TransactionKind', {
  values: ['DEPOSIT', 'WITHDRAWAL', 'TRANSFER_OUT', 'TRANSFER_IN', 'TRANSFER_REFUND'] as const,
});

export const TransferStatusEnum = builder.enumType('TransferStatus', {
  values: ['PENDING', 'COMPLETED', 'REFUNDED'] as const,
});
