import { STAFF_READ } from '../auth/rules.js';
import { builder } from '../builder.js';
import { findById } from '../find-by-id.js';
import { TransferType } from './transfer.js';

builder.queryField('transfer', (t) =>
  t.field({
    type: TransferType,
    nullable: true,
    args: {
      id: t.arg.id({ required: true }),
      consistentWith: t.arg({
        type: 'Position',
        description:
          'Wait, bounded, until the read models include this position, such as one a mutation returned',
      }),
    },
    // A customer may ask; the Transfer type shows it only to a party of the transfer.
    authScopes: { ...STAFF_READ, customer: true },
    resolve: async (_root, args, context) => {
      const doc = await findById(context, context.models.transfers, args);
      return doc && { ...doc, id: doc._id };
    },
  }),
);
