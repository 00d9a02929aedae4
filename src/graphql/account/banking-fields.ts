import { resolveCursorConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { availableBalance } from '../../domain/account/state.js';
import { builder } from '../builder.js';
import { decodeCursor, encodeCursor } from '../cursors.js';
import { HoldType, type HoldView, holdFromDocument } from '../hold/hold.js';
import { HoldStatusEnum } from '../hold/hold-errors.js';
import { pageSize } from '../input-errors.js';
import { MoneyType } from '../shared/money.js';
import { AccountType } from './account.js';
import { AccountStateType } from './account-result.js';
import { TransactionType } from './transaction.js';

// Fields of holds, interest and reversals on the account types, kept apart from account.ts so
// each concern adds its own fields (builder.objectFields) without editing the others'.

builder.objectFields(AccountType, (t) => ({
  availableBalance: t.field({
    type: MoneyType,
    description: 'The balance minus the active holds: what may be withdrawn, sent or held',
    resolve: (account) => ({
      minor: account.balance - (account.held ?? 0),
      currency: account.currency,
    }),
  }),
  interestRate: t.field({
    type: 'Decimal',
    nullable: true,
    description: 'The annual interest rate as a fraction ("0.035" is 3.5%); null when none is set',
    resolve: (account) => account.interestRate ?? null,
  }),
  holds: t.connection(
    {
      type: HoldType,
      description: 'Holds placed on the account, newest first; of one status when given.',
      args: { status: t.arg({ type: HoldStatusEnum }) },
      resolve: (account, args, context) => {
        const limit = pageSize(args.first ?? args.last, args.last ? 'last' : 'first');
        return resolveCursorConnection<Promise<HoldView[]>>(
          {
            args,
            defaultSize: limit,
            maxSize: 100,
            toCursor: (hold: HoldView) => encodeCursor('hold', hold.placedRevision ?? 0),
          },
          async ({ before, after, limit, inverted }) => {
            // Newest first: "after" a cursor means placed earlier, "before" placed later.
            const placedRevision: { $lt?: number; $gt?: number } = {};
            if (after) placedRevision.$lt = holdCursor(after, 'after');
            if (before) placedRevision.$gt = holdCursor(before, 'before');
            const docs = await context.models.holds
              .find({
                accountId: account._id,
                ...(args.status ? { status: args.status } : {}),
                ...(after || before ? { placedRevision } : {}),
              })
              .sort({ placedRevision: inverted ? 1 : -1 })
              .limit(limit)
              .toArray();
            return docs.map(holdFromDocument);
          },
        );
      },
    },
    { name: 'HoldConnection' },
    { name: 'HoldEdge' },
  ),
}));

builder.objectFields(AccountStateType, (t) => ({
  availableBalance: t.field({
    type: MoneyType,
    resolve: ({ account }) => ({ minor: availableBalance(account), currency: account.currency }),
  }),
}));

builder.objectFields(TransactionType, (t) => ({
  holdId: t.exposeID('holdId', {
    nullable: true,
    description: 'The hold a HOLD_CAPTURE captured, or whose capture a REVERSAL undid',
  }),
  reverses: t.field({
    type: TransactionType,
    nullable: true,
    description: 'For a REVERSAL: the transaction it undid',
    resolve: (tx, _args, context) =>
      tx.reverses ? context.models.transactions.findOne({ _id: tx.reverses }) : null,
  }),
  reversedBy: t.field({
    type: TransactionType,
    nullable: true,
    description: 'The REVERSAL that undid this transaction, if one did',
    resolve: (tx, _args, context) => context.models.transactions.findOne({ reverses: tx._id }),
  }),
}));

function holdCursor(cursor: string, field: string): number {
  const revision = Number(decodeCursor('hold', cursor, field));
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new GraphQLError(`${field}: is not a cursor this connection issued`, {
      extensions: { code: 'BAD_USER_INPUT', field },
    });
  }
  return revision;
}
