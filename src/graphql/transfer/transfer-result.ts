import {
  AccountNotFoundError,
  AccountNotOpenError,
  InsufficientFundsError,
  ValidationError,
} from '../../domain/errors.js';
import type { TransferResult } from '../../write/ledger.js';
import { ForbiddenError } from '../auth/forbidden-error.js';
import { builder } from '../builder.js';
import { TransferType } from './transfer.js';

export const TransferSuccessType = builder.objectRef<TransferResult>('TransferSuccess').implement({
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
    position: t.field({ type: 'Position', resolve: (result) => result.position.commit }),
    correlationId: t.id({
      description: 'The correlation id every event of the transfer carries',
      resolve: (result) => result.correlationId,
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
