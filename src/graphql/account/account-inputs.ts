import { builder } from '../builder.js';

const IDEMPOTENCY_KEY = 'A retry with the same key returns the first result and appends nothing';
const EXPECTED_REVISION =
  'Fail with ConcurrencyConflictError unless the account is at this revision';

export const OpenAccountInput = builder.inputType('OpenAccountInput', {
  fields: (t) => ({
    accountId: t.id({ description: 'Chosen by the client, or generated' }),
    ownerId: t.id({ required: true, description: "A customer's own `sub`" }),
    currency: t.string({ required: true, description: 'ISO 4217 code, such as "USD"' }),
    initialDeposit: t.field({ type: 'Decimal' }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
  }),
});

const moneyMovementInput = (name: string) =>
  builder.inputType(name, {
    fields: (t) => ({
      accountId: t.id({ required: true }),
      amount: t.field({ type: 'Decimal', required: true }),
      description: t.string(),
      idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
      expectedRevision: t.int({ description: EXPECTED_REVISION }),
    }),
  });

export const DepositMoneyInput = moneyMovementInput('DepositMoneyInput');
export const WithdrawMoneyInput = moneyMovementInput('WithdrawMoneyInput');

export const AccountStatusInput = builder.inputType('AccountStatusInput', {
  fields: (t) => ({
    accountId: t.id({ required: true }),
    reason: t.string({ required: true }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
    expectedRevision: t.int({ description: EXPECTED_REVISION }),
  }),
});
