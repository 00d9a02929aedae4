import { Long } from 'mongodb';
import {
  AlreadyReversedError,
  ReversalWindowClosedError,
  TransactionNotFoundError,
} from '../../domain/banking-errors.js';
import {
  AccountNotOpenError,
  InsufficientFundsError,
  ValidationError,
} from '../../domain/errors.js';
import type { TransactionDocument } from '../../read/documents.js';
import type { ReversalResult } from '../../write/ledger.js';
import { ForbiddenError } from '../auth/forbidden-error.js';
import { builder } from '../builder.js';
import '../hold/hold-errors.js';
import { CommandReceiptInterface } from '../shared/command-receipt.js';
import { AccountStateType } from './account-result.js';
import { TransactionType } from './transaction.js';

/** The reversal as a transaction, built from its event: the read model may not have it yet. */
function reversalTransaction(result: ReversalResult): TransactionDocument {
  const { reversal, account } = result;
  const { data } = reversal;
  return {
    _id: reversal.id,
    accountId: account.id,
    revision: reversal.revision,
    kind: 'REVERSAL',
    amount: data.amount,
    currency: data.currency,
    balanceAfter: data.balanceAfter,
    occurredAt: new Date(reversal.occurredAt),
    description: data.reason,
    actor: reversal.actor,
    reverses: data.reverses,
    ...(data.holdId ? { holdId: data.holdId } : {}),
    position: Long.fromBigInt(result.position.commit),
  };
}

export const ReversalSuccessType = builder.objectRef<ReversalResult>('ReversalSuccess').implement({
  interfaces: [CommandReceiptInterface],
  fields: (t) => ({
    reversal: t.field({ type: TransactionType, resolve: reversalTransaction }),
    account: t.field({ type: AccountStateType, resolve: (result) => result }),
  }),
});

/** What reverseTransaction returns: the compensating transaction, or why there is none. */
export const ReversalResultType = builder.errorUnion('ReversalResult', {
  types: [
    ReversalSuccessType,
    ValidationError,
    TransactionNotFoundError,
    ReversalWindowClosedError,
    AlreadyReversedError,
    InsufficientFundsError,
    AccountNotOpenError,
    ForbiddenError,
  ],
  resolveType: () => ReversalSuccessType,
});
