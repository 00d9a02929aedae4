import { GraphQLError } from 'graphql';
import { parseId } from '../../domain/ids.js';
import { ownersProjection } from '../../read/projections/owners.js';
import { RebuildRequests } from '../../rebuild/rebuild-requests.js';
import { builder } from '../builder.js';
import { awaitReadModels, CONSISTENT_WITH } from '../consistency.js';
import type { GraphQLContext } from '../context.js';
import { asUserInputError } from '../input-errors.js';
import { OwnerSummaryType, summarize } from './owner-summary.js';

builder.queryField('owner', (t) =>
  t.field({
    type: OwnerSummaryType,
    nullable: true,
    description:
      "A customer's number of accounts and transactions, and its totals by currency and kind; " +
      'null when it has no account. Customers read their own id; auditors and admins any.',
    args: {
      id: t.arg.id({ required: true }),
      consistentWith: t.arg({
        type: 'Position',
        description: CONSISTENT_WITH,
      }),
    },
    authScopes: (_root, args) => ({ auditor: true, admin: true, self: String(args.id) }),
    resolve: async (_root, args, context) => {
      const id = asUserInputError(() => parseId(String(args.id), 'id'));
      await awaitReadModels(context, args.consistentWith);
      await assertBackfilled(context);
      const rows = await context.models.owners.find({ ownerId: id }).toArray();
      return rows.length === 0 ? null : summarize(id, rows);
    },
  }),
);

/**
 * A read model added to a running ledger is backfilled from position 0 beside the others and
 * switched in when caught up (src/rebuild); until then the live collection is empty, and an
 * answer from it would be wrong rather than stale.
 */
async function assertBackfilled(context: GraphQLContext): Promise<void> {
  const rebuild = await new RebuildRequests(context.models.checkpoints.db).get(
    ownersProjection.name,
  );
  if (!rebuild?.backfill || rebuild.state === 'switched') return;
  throw new GraphQLError(
    'The owners read model is still being built from the start of the ledger; retry later.',
    { extensions: { code: 'READ_MODEL_BACKFILLING', readModel: ownersProjection.name } },
  );
}
