import { forbidden } from '../auth/rules.js';
import { builder } from '../builder.js';
import { commandRequest } from '../command-request.js';
import { AccountCommandResultType } from './account-result.js';
import { ReversalResultType } from './reversal-result.js';

const IDEMPOTENCY_KEY = 'A retry with the same key returns the first result and appends nothing';

const ChargeFeeInput = builder.inputType('ChargeFeeInput', {
  fields: (t) => ({
    accountId: t.id({ required: true }),
    amount: t.field({ type: 'Decimal', required: true }),
    reason: t.string({ required: true }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
  }),
});

const SetInterestRateInput = builder.inputType('SetInterestRateInput', {
  fields: (t) => ({
    accountId: t.id({ required: true }),
    annualRate: t.field({
      type: 'Decimal',
      required: true,
      description: 'A fraction up to 1 with at most 6 digits: "0.035" is 3.5% a year',
    }),
    reason: t.string({ required: true }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
  }),
});

const ReverseTransactionInput = builder.inputType('ReverseTransactionInput', {
  fields: (t) => ({
    transactionId: t.id({ required: true, description: 'A Transaction.id' }),
    reason: t.string({ required: true }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
  }),
});

builder.mutationField('chargeFee', (t) =>
  t.field({
    type: AccountCommandResultType,
    description: 'A fee with its reason, taken from the available balance (a FEE transaction).',
    args: { input: t.arg({ type: ChargeFeeInput, required: true }) },
    authScopes: { teller: true, admin: true },
    unauthorizedError: forbidden('TELLER', 'chargeFee needs the teller role'),
    resolve: (_root, { input }, context) =>
      context.ledger.chargeFee(
        { accountId: String(input.accountId), amount: input.amount, reason: input.reason },
        commandRequest(context, input),
      ),
  }),
);

builder.mutationField('setInterestRate', (t) =>
  t.field({
    type: AccountCommandResultType,
    description:
      'The annual rate from now on. Interest accrues daily on the closing balance and is paid monthly.',
    args: { input: t.arg({ type: SetInterestRateInput, required: true }) },
    authScopes: { admin: true },
    unauthorizedError: forbidden('ADMIN', 'setInterestRate needs the admin role'),
    resolve: (_root, { input }, context) =>
      context.ledger.setInterestRate(
        { accountId: String(input.accountId), annualRate: input.annualRate, reason: input.reason },
        commandRequest(context, input),
      ),
  }),
);

builder.mutationField('reverseTransaction', (t) =>
  t.field({
    type: ReversalResultType,
    description:
      'Appends a compensating REVERSAL of a DEPOSIT, WITHDRAWAL, FEE or HOLD_CAPTURE, once, within 30 days; the original is never changed.',
    args: { input: t.arg({ type: ReverseTransactionInput, required: true }) },
    authScopes: { admin: true },
    unauthorizedError: forbidden('ADMIN', 'reverseTransaction needs the admin role'),
    resolve: (_root, { input }, context) =>
      context.ledger.reverseTransaction(
        { transactionId: String(input.transactionId), reason: input.reason },
        commandRequest(context, input),
      ),
  }),
);
