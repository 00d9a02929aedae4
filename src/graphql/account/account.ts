import { resolveCursorConnection } from '@pothos/plugin-relay';
import type { AccountDocument, TransactionDocument } from '../../read/documents.js';
import { STAFF_READ } from '../auth/rules.js';
import { builder } from '../builder.js';
import { decodeRevisionCursor, encodeCursor } from '../cursors.js';
import { pageSize } from '../input-errors.js';
import { AccountStatusEnum } from '../shared/errors.js';
import { MoneyType } from '../shared/money.js';
import { TransactionType } from './transaction.js';

export const AccountType = builder.objectRef<AccountDocument>('Account').implement({
  description: 'An account from the read model, as of the last event the projector applied.',
  // Whatever path leads here, a customer sees only its own accounts.
  authScopes: (account) => ({ ...STAFF_READ, self: account.ownerId }),
  fields: (t) => ({
    id: t.exposeID('_id'),
    ownerId: t.exposeID('ownerId'),
    currency: t.exposeString('currency'),
    balance: t.field({
      type: MoneyType,
      resolve: (account) => ({ minor: account.balance, currency: account.currency }),
    }),
    status: t.field({ type: AccountStatusEnum, resolve: (account) => account.status }),
    openedAt: t.field({ type: 'DateTime', resolve: (account) => account.openedAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (account) => account.updatedAt }),
    revision: t.exposeInt('revision', {
      description: 'Stream revision of the last event folded into this document',
    }),
    // balanceAt: src/graphql/history/account-history.ts (the same fold as accountAt).
    transactions: t.connection(
      {
        type: TransactionType,
        description: 'Money movements, newest first.',
        resolve: (account, args, context) => {
          const limit = pageSize(args.first ?? args.last, args.last ? 'last' : 'first');
          return resolveCursorConnection<Promise<TransactionDocument[]>>(
            {
              args,
              defaultSize: limit,
              maxSize: 100,
              toCursor: (tx: TransactionDocument) => encodeCursor('tx', tx.revision),
            },
            async ({ before, after, limit, inverted }) => {
              // Newest first: "after" a cursor means older, "before" means newer.
              const revision: { $lt?: number; $gt?: number } = {};
              if (after) revision.$lt = decodeRevisionCursor(after, 'after');
              if (before) revision.$gt = decodeRevisionCursor(before, 'before');
              return context.models.transactions
                .find({ accountId: account._id, ...(after || before ? { revision } : {}) })
                .sort({ revision: inverted ? 1 : -1 })
                .limit(limit)
                .toArray();
            },
          );
        },
      },
      { name: 'TransactionConnection' },
      { name: 'TransactionEdge' },
    ),
  }),
});
