import { builder } from '../builder.js';
import { commandRequest } from '../command-context.js';
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

const moneyMovementInput = (name: string) =>
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

const DepositMoneyInput = moneyMovementInput('DepositMoneyInput');
const WithdrawMoneyInput = moneyMovementInput('WithdrawMoneyInput');

const AccountStatusInput = builder.inputType('AccountStatusInput', {
  fields: (t) => ({
    accountId: t.id({ required: true }),
    reason: t.string({ required: true }),
    idempotencyKey: t.string(),
    expectedRevision: t.int(),
  }),
});

builder.mutationFields((t) => ({
  openAccount: t.field({
    type: AccountCommandResultType,
    args: { input: t.arg({ type: OpenAccountInput, required: true }) },
    resolve: (_root, { input }, context) =>
      asResult(accountCommandErrorClasses, () =>
        context.ledger.openAccount(
          {
            ...(input.accountId ? { accountId: String(input.accountId) } : {}),
            ownerId: String(input.ownerId),
            currency: input.currency,
            ...(input.initialDeposit ? { initialDeposit: input.initialDeposit } : {}),
          },
          commandRequest(context, input),
        ),
      ),
  }),
  depositMoney: t.field({
    type: AccountCommandResultType,
    args: { input: t.arg({ type: DepositMoneyInput, required: true }) },
    resolve: (_root, { input }, context) =>
      asResult(accountCommandErrorClasses, () =>
        context.ledger.depositMoney(movement(input), commandRequest(context, input)),
      ),
  }),
  withdrawMoney: t.field({
    type: AccountCommandResultType,
    args: { input: t.arg({ type: WithdrawMoneyInput, required: true }) },
    resolve: (_root, { input }, context) =>
      asResult(accountCommandErrorClasses, () =>
        context.ledger.withdrawMoney(movement(input), commandRequest(context, input)),
      ),
  }),
  freezeAccount: t.field({
    type: AccountCommandResultType,
    args: { input: t.arg({ type: AccountStatusInput, required: true }) },
    resolve: (_root, { input }, context) =>
      asResult(accountCommandErrorClasses, () =>
        context.ledger.freezeAccount(status(input), commandRequest(context, input)),
      ),
  }),
  unfreezeAccount: t.field({
    type: AccountCommandResultType,
    args: { input: t.arg({ type: AccountStatusInput, required: true }) },
    resolve: (_root, { input }, context) =>
      asResult(accountCommandErrorClasses, () =>
        context.ledger.unfreezeAccount(status(input), commandRequest(context, input)),
      ),
  }),
  closeAccount: t.field({
    type: AccountCommandResultType,
    description: 'Only at zero balance; a closed account stays closed',
    args: { input: t.arg({ type: AccountStatusInput, required: true }) },
    resolve: (_root, { input }, context) =>
      asResult(accountCommandErrorClasses, () =>
        context.ledger.closeAccount(status(input), commandRequest(context, input)),
      ),
  }),
}));

function movement(input: {
  accountId: string | number;
  amount: string;
  description?: string | null;
}) {
  return {
    accountId: String(input.accountId),
    amount: input.amount,
    ...(input.description ? { description: input.description } : {}),
  };
}

function status(input: { accountId: string | number; reason: string }) {
  return { accountId: String(input.accountId), reason: input.reason };
}
