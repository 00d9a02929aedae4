import { randomUUID } from 'node:crypto';
import type { AccountCommand } from '../../domain/account/index.js';
import { parseId, parseText } from '../../domain/ids.js';
import { deterministicId } from '../../write/envelope.js';
import { builder } from '../builder.js';
import { commandContext, idempotencyKey } from '../command-context.js';
import { AccountCommandResultType, accountCommandErrorClasses, asResult } from '../types/errors.js';

const OpenAccountInput = builder.inputType('OpenAccountInput', {
  fields: (t) => ({
    accountId: t.id({ description: 'Chosen by the client, or generated' }),
    ownerId: t.id({ required: true }),
    currency: t.string({ required: true, description: 'ISO 4217 code, such as "USD"' }),
    initialDeposit: t.field({ type: 'Decimal' }),
    idempotencyKey: t.string(),
  }),
});

const MoneyMovementInput = (name: string) =>
  builder.inputType(name, {
    fields: (t) => ({
      accountId: t.id({ required: true }),
      amount: t.field({ type: 'Decimal', required: true }),
      description: t.string(),
      idempotencyKey: t.string(),
      expectedRevision: t.int({
        description: 'Fail with ConcurrencyConflictError unless the account is at this revision',
      }),
    }),
  });

const AccountStatusInput = builder.inputType('AccountStatusInput', {
  fields: (t) => ({
    accountId: t.id({ required: true }),
    reason: t.string({ required: true }),
    idempotencyKey: t.string(),
    expectedRevision: t.int(),
  }),
});

const REASON = { required: true, maxLength: 500 } as const;

builder.mutationFields((t) => ({
  openAccount: t.field({
    type: AccountCommandResultType,
    args: { input: t.arg({ type: OpenAccountInput, required: true }) },
    resolve: (_root, { input }, context) =>
      asResult(accountCommandErrorClasses, async () => {
        const commandOptions = { idempotencyKey: input.idempotencyKey };
        const key = idempotencyKey(input.idempotencyKey);
        const accountId = input.accountId
          ? parseId(String(input.accountId), 'accountId')
          : key === undefined
            ? randomUUID()
            : deterministicId(`openAccount:account-id:${key}`);
        const command: AccountCommand = {
          type: 'OpenAccount',
          accountId,
          data: {
            ownerId: parseId(String(input.ownerId), 'ownerId'),
            currency: input.currency,
            ...(input.initialDeposit ? { initialDeposit: input.initialDeposit } : {}),
          },
        };
        return context.ledger.executeOnAccount(
          command,
          commandContext(context, 'openAccount', commandOptions),
        );
      }),
  }),
  ...Object.fromEntries(
    (
      [
        ['depositMoney', 'DepositMoney', MoneyMovementInput('DepositMoneyInput')],
        ['withdrawMoney', 'WithdrawMoney', MoneyMovementInput('WithdrawMoneyInput')],
      ] as const
    ).map(([name, type, input]) => [
      name,
      t.field({
        type: AccountCommandResultType,
        args: { input: t.arg({ type: input, required: true }) },
        resolve: (_root, { input }, context) =>
          asResult(accountCommandErrorClasses, async () => {
            const description = parseText(input.description ?? '', 'description', {
              required: false,
              maxLength: 500,
            });
            return context.ledger.executeOnAccount(
              {
                type,
                accountId: parseId(String(input.accountId), 'accountId'),
                data: { amount: input.amount, ...(description ? { description } : {}) },
              },
              commandContext(context, name, input),
            );
          }),
      }),
    ]),
  ),
  ...Object.fromEntries(
    (
      [
        ['freezeAccount', 'FreezeAccount'],
        ['unfreezeAccount', 'UnfreezeAccount'],
        ['closeAccount', 'CloseAccount'],
      ] as const
    ).map(([name, type]) => [
      name,
      t.field({
        type: AccountCommandResultType,
        description:
          name === 'closeAccount'
            ? 'Only at zero balance; a closed account stays closed'
            : undefined,
        args: { input: t.arg({ type: AccountStatusInput, required: true }) },
        resolve: (_root, { input }, context) =>
          asResult(accountCommandErrorClasses, async () => {
            const reason = parseText(input.reason, 'reason', REASON)!;
            return context.ledger.executeOnAccount(
              { type, accountId: parseId(String(input.accountId), 'accountId'), data: { reason } },
              commandContext(context, name, { ...input, reason }),
            );
          }),
      }),
    ]),
  ),
}));
