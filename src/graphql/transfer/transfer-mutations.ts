import { forbidden } from '../auth/rules.js';
import { builder } from '../builder.js';
import { commandRequest } from '../command-request.js';
import { TransferResultType } from './transfer-result.js';

const TransferMoneyInput = builder.inputType('TransferMoneyInput', {
  fields: (t) => ({
    fromAccountId: t.id({ required: true }),
    toAccountId: t.id({ required: true }),
    amount: t.field({ type: 'Decimal', required: true }),
    description: t.string(),
    idempotencyKey: t.string({
      description: 'A retry with the same key returns the first result and appends nothing',
    }),
  }),
});

builder.mutationField('transferMoney', (t) =>
  t.field({
    type: TransferResultType,
    description:
      'Debits the source at once; the target is credited shortly after, or the source refunded if the target refuses.',
    args: { input: t.arg({ type: TransferMoneyInput, required: true }) },
    // The owner of the source account (write side), or an admin.
    authScopes: (_root, { input }) => ({ admin: true, accountOwner: String(input.fromAccountId) }),
    unauthorizedError: forbidden(
      'CUSTOMER',
      'only the owner of the source account may transfer from it',
    ),
    resolve: (_root, { input }, context) =>
      context.ledger.transferMoney(
        {
          fromAccountId: String(input.fromAccountId),
          toAccountId: String(input.toAccountId),
          amount: input.amount,
          description: input.description ?? undefined,
        },
        commandRequest(context, input),
      ),
  }),
);
