import { randomUUID } from 'node:crypto';
import { parseId, parseText } from '../../domain/ids.js';
import { deterministicId } from '../../write/envelope.js';
import { builder } from '../builder.js';
import { commandContext, idempotencyKey } from '../command-context.js';
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
      asResult(transferErrorClasses, async () => {
        const key = idempotencyKey(input.idempotencyKey);
        const description = parseText(input.description ?? '', 'description', {
          required: false,
          maxLength: 500,
        });
        return context.ledger.sendTransfer(
          {
            transferId:
              key === undefined
                ? randomUUID()
                : deterministicId(`transferMoney:transfer-id:${key}`),
            fromAccountId: parseId(String(input.fromAccountId), 'fromAccountId'),
            toAccountId: parseId(String(input.toAccountId), 'toAccountId'),
            amount: input.amount,
            ...(description ? { description } : {}),
          },
          commandContext(context, 'transferMoney', input),
        );
      }),
  }),
);
