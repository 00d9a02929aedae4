import { STAFF_READ } from '../auth/rules.js';
import { builder } from '../builder.js';
import { CONSISTENT_WITH } from '../consistency.js';
import { findById } from '../find-by-id.js';
import { HoldType, holdFromDocument } from './hold.js';

builder.queryField('hold', (t) =>
  t.field({
    type: HoldType,
    nullable: true,
    args: {
      id: t.arg.id({ required: true }),
      consistentWith: t.arg({
        type: 'Position',
        description: CONSISTENT_WITH,
      }),
    },
    // A customer may ask; the Hold type shows it only to the owner of its account.
    authScopes: { ...STAFF_READ, customer: true },
    resolve: async (_root, args, context) => {
      const doc = await findById(context, context.models.holds, args);
      return doc && holdFromDocument(doc);
    },
  }),
);
