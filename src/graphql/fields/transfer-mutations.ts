import { builder } from '../builder.js';
import { commandRequest } from '../command-context.js';
import { asResult, TransferResultType, transferErrorClasses } from '../types/errors.js';

const TransferMoneyInput = builder.inputType('TransferMoneyInput', {
  fields: (t) => ({
    fromAccountId: t.id({ required: true }),
    toAccountId: t.id({ required: true }),
    amount: t.field({ type: 'Decimal', required: true }),
    description: t.string(),
    idempotencyKey: t.string(),
  }),
});

builder.mutationField('transferMoney', (t) =>
  t.field({
    type: TransferResultType,
    description:
      'Debits the source at once; the target is credited shortly after, or the source refunded if the target refuses.',
    args: { input: t.arg({ type: TransferMoneyInput, required: true }) },
    resolve: (_root, { input }, context) =>
      asResult(transferErrorClasses, () =>
        context.ledger.transferMoney(
          {
            fromAccountId: String(input.fromAccountId),
            toAccountId: String(input.toAccountId),
            amount: input.amount,
            ...(input.description ? { description: input.description } : {}),
          },
          commandRequest(context, input),
        ),
      ),
  }),
);
