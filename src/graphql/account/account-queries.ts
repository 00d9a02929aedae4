import { resolveCursorConnection } from '@pothos/plugin-relay';
import { parseId } from '../../domain/ids.js';
import type { AccountDocument } from '../../read/documents.js';
import { STAFF_READ } from '../auth/rules.js';
import { builder } from '../builder.js';
import { awaitReadModels, CONSISTENT_WITH } from '../consistency.js';
import { decodeCursor, encodeCursor } from '../cursors.js';
import { findById } from '../find-by-id.js';
import { asUserInputError, pageSize } from '../input-errors.js';
import { AccountType } from './account.js';

builder.queryField('account', (t) =>
  t.field({
    type: AccountType,
    nullable: true,
    args: {
      id: t.arg.id({ required: true }),
      consistentWith: t.arg({ type: 'Position', description: CONSISTENT_WITH }),
    },
    authScopes: (_root, args) => ({ ...STAFF_READ, accountOwner: String(args.id) }),
    resolve: (_root, args, context) => findById(context, context.models.accounts, args),
  }),
);

builder.queryField('accounts', (t) =>
  t.connection(
    {
      type: AccountType,
      description:
        'Accounts in id order, optionally of one owner. A customer lists its own, passing its sub as ownerId.',
      args: {
        ownerId: t.arg.id(),
        consistentWith: t.arg({ type: 'Position', description: CONSISTENT_WITH }),
      },
      authScopes: (_root, args) => ({
        ...STAFF_READ,
        ...(args.ownerId ? { self: String(args.ownerId) } : {}),
      }),
      resolve: async (_root, args, context) => {
        const ownerId =
          args.ownerId === null || args.ownerId === undefined
            ? undefined
            : asUserInputError(() => parseId(String(args.ownerId), 'ownerId'));
        const size = pageSize(args.first ?? args.last, args.last ? 'last' : 'first');
        await awaitReadModels(context, args.consistentWith);
        return resolveCursorConnection<Promise<AccountDocument[]>>(
          {
            args,
            defaultSize: size,
            maxSize: 100,
            toCursor: (account: AccountDocument) => encodeCursor('account', account._id),
          },
          ({ before, after, limit, inverted }) => {
            const id: { $gt?: string; $lt?: string } = {};
            if (after) id.$gt = decodeCursor('account', after, 'after');
            if (before) id.$lt = decodeCursor('account', before, 'before');
            return context.models.accounts
              .find({ ...(ownerId ? { ownerId } : {}), ...(after || before ? { _id: id } : {}) })
              .sort({ _id: inverted ? -1 : 1 })
              .limit(limit)
              .toArray();
          },
        );
      },
    },
    { name: 'AccountConnection' },
    { name: 'AccountEdge' },
  ),
);
