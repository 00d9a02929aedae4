import {
  AccountNotFoundError,
  AccountNotOpenError,
  InsufficientFundsError,
  ValidationError,
} from '../../domain/errors.js';
import type { TransferResult } from '../../write/ledger.js';
import { ForbiddenError } from '../auth/forbidden-error.js';
import { builder } from '../builder.js';
import { CommandReceiptInterface } from '../shared/command-receipt.js';
import { TransferType } from './transfer.js';

export const TransferSuccessType = builder.objectRef<TransferResult>('TransferSuccess').implement({
  interfaces: [CommandReceiptInterface],
  fields: (t) => ({
    transfer: t.field({
      type: TransferType,
      resolve: ({ transfer }) => ({
        id: transfer.id,
        fromAccountId: transfer.fromAccountId,
        toAccountId: transfer.toAccountId,
        amount: transfer.amount,
        currency: transfer.currency,
        status: transfer.status,
        reason: transfer.reason,
      }),
    }),
  }),
});

/** What transferMoney returns: the pending transfer, or why nothing was debited. */
export const TransferResultType = builder.errorUnion('TransferResult', {
  types: [
    TransferSuccessType,
    ValidationError,
    AccountNotFoundError,
    AccountNotOpenError,
    InsufficientFundsError,
    ForbiddenError,
  ],
  resolveType: () => TransferSuccessType,
});
