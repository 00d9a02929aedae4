import {
  AccountNotFoundError,
  AccountNotOpenError,
  ConcurrencyConflictError,
  InsufficientFundsError,
  ValidationError,
} from '../../domain/errors.js';
import type { AccountResult } from '../../write/ledger.js';
import { ForbiddenError } from '../auth/forbidden-error.js';
import { builder } from '../builder.js';
import { CommandReceiptInterface } from '../shared/command-receipt.js';
import { AccountStatusEnum } from '../shared/errors.js';
import { MoneyType } from '../shared/money.js';

export const AccountStateType = builder.objectRef<AccountResult>('AccountState').implement({
  description: 'The account as the write side decided it, straight from its event stream.',
  fields: (t) => ({
    id: t.id({ resolve: ({ account }) => account.id }),
    ownerId: t.id({ resolve: ({ account }) => account.ownerId }),
    currency: t.string({ resolve: ({ account }) => account.currency }),
    balance: t.field({
      type: MoneyType,
      resolve: ({ account }) => ({ minor: account.balance, currency: account.currency }),
    }),
    status: t.field({ type: AccountStatusEnum, resolve: ({ account }) => account.status }),
    revision: t.int({ resolve: ({ revision }) => revision }),
  }),
});

export const AccountCommandSuccessType = builder
  .objectRef<AccountResult>('AccountCommandSuccess')
  .implement({
    interfaces: [CommandReceiptInterface],
    fields: (t) => ({
      account: t.field({ type: AccountStateType, resolve: (result) => result }),
    }),
  });

/** What every account mutation returns: the new state, or why nothing was written. */
export const AccountCommandResultType = builder.errorUnion('AccountCommandResult', {
  types: [
    AccountCommandSuccessType,
    ValidationError,
    AccountNotFoundError,
    AccountNotOpenError,
    InsufficientFundsError,
    ConcurrencyConflictError,
    ForbiddenError,
  ],
  resolveType: () => AccountCommandSuccessType,
});
