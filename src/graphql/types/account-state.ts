import type { Position } from '@eventstore/db-client';
import type { AccountResult, TransferResult } from '../../write/ledger.js';
import { builder } from '../builder.js';
import { AccountStatusEnum } from './enums.js';
import { MoneyType } from './money.js';
import { TransferType } from './transfer.js';

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

const position = (result: { position: Position }) => result.position.commit;

export const AccountCommandSuccessType = builder
  .objectRef<AccountResult>('AccountCommandSuccess')
  .implement({
    fields: (t) => ({
      account: t.field({ type: AccountStateType, resolve: (result) => result }),
      position: t.field({
        type: 'Position',
        description:
          "Position of the command's last event; pass it as consistentWith to read it back",
        resolve: position,
      }),
    }),
  });

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
    position: t.field({ type: 'Position', resolve: position }),
  }),
});
