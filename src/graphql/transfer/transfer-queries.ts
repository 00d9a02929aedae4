import { STAFF_READ } from '../auth/rules.js';
import { builder } from '../builder.js';
import { CONSISTENT_WITH } from '../consistency.js';
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
        description: CONSISTENT_WITH,
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
