import { resolveCursorConnection } from '@pothos/plugin-relay';
import type { Collection, Filter, WithId } from 'mongodb';
import { parseId } from '../../domain/ids.js';
import type { AccountDocument } from '../../read/documents.js';
import { STAFF_READ } from '../auth/rules.js';
import { builder } from '../builder.js';
import { awaitReadModels } from '../consistency.js';
import type { GraphQLContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursors.js';
import { asUserInputError, pageSize } from '../input-errors.js';
import { AccountType } from '../types/account.js';
import { TransferType } from '../types/transfer.js';

const CONSISTENT_WITH =
  'Wait, bounded, until the read models include this position, such as one a mutation returned';

builder.queryFields((t) => ({
  account: t.field({
    type: AccountType,
    nullable: true,
    authScopes: (_root, args) => ({ ...STAFF_READ, accountOwner: String(args.id) }),
    args: {
      id: t.arg.id({ required: true }),
      consistentWith: t.arg({ type: 'Position', description: CONSISTENT_WITH }),
    },
    resolve: (_root, args, context) => findById(context, context.models.accounts, args),
  }),
  accounts: t.connection({
    type: AccountType,
    description: 'Accounts in id order, optionally of one owner. A customer lists only its own.',
    authScopes: (_root, args) => ({
      ...STAFF_READ,
      ...(args.ownerId ? { self: String(args.ownerId) } : {}),
    }),
    args: {
      ownerId: t.arg.id(),
      consistentWith: t.arg({ type: 'Position', description: CONSISTENT_WITH }),
    },
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
  }),
  transfer: t.field({
    type: TransferType,
    nullable: true,
    // A customer may ask; the Transfer type shows it only to a party of the transfer.
    authScopes: { ...STAFF_READ, customer: true },
    args: {
      id: t.arg.id({ required: true }),
      consistentWith: t.arg({ type: 'Position', description: CONSISTENT_WITH }),
    },
    resolve: async (_root, args, context) => {
      const doc = await findById(context, context.models.transfers, args);
      return doc && { ...doc, id: doc._id };
    },
  }),
}));

/** A read-model document by id, once the read models have passed `consistentWith`. */
async function findById<Doc extends { _id: string }>(
  context: GraphQLContext,
  collection: Collection<Doc>,
  args: { id: string | number; consistentWith?: bigint | null | undefined },
): Promise<WithId<Doc> | null> {
  const id = asUserInputError(() => parseId(String(args.id), 'id'));
  await awaitReadModels(context, args.consistentWith);
  return collection.findOne({ _id: id } as Filter<Doc>);
}
