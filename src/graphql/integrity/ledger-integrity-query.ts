import { parseCurrency } from '../../domain/money.js';
import { checkLedgerIntegrity } from '../../integrity/ledger-integrity.js';
import { builder } from '../builder.js';
import { awaitReadModels, CONSISTENT_WITH } from '../consistency.js';
import { asUserInputError } from '../input-errors.js';
import { LedgerIntegrityType } from './ledger-integrity-type.js';

/** How long a re-check waits for the projector to apply what the first look saw. */
const RECHECK_WAIT_MS = 1000;

builder.queryFields((t) => ({
  ledgerIntegrity: t.field({
    type: LedgerIntegrityType,
    description:
      "One currency's ledger-wide totals and whether money is conserved. Auditors and admins only.",
    authScopes: { auditor: true, admin: true },
    args: {
      currency: t.arg.string({ required: true, description: 'An ISO 4217 code, such as "USD".' }),
      consistentWith: t.arg({
        type: 'Position',
        description: CONSISTENT_WITH,
      }),
    },
    resolve: async (_root, args, context) => {
      const currency = asUserInputError(() => parseCurrency(args.currency, 'currency'));
      await awaitReadModels(context, args.consistentWith);
      return checkLedgerIntegrity(context.models, currency, async (position) => {
        await context.readModelProgress.waitFor(position, RECHECK_WAIT_MS);
      });
    },
  }),
}));
