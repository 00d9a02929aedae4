import { forbidden } from '../auth/rules.js';
import { builder } from '../builder.js';
import { commandRequest } from '../command-request.js';
import {
  AccountStatusInput,
  DepositMoneyInput,
  OpenAccountInput,
  WithdrawMoneyInput,
} from './account-inputs.js';
import { AccountCommandResultType } from './account-result.js';

// Each mutation: who may call it, and the one Ledger method it calls with the client's raw
// input. The ledger validates; its domain errors become members of AccountCommandResult.

builder.mutationField('openAccount', (t) =>
  t.field({
    type: AccountCommandResultType,
    args: { input: t.arg({ type: OpenAccountInput, required: true }) },
    authScopes: (_root, { input }) => ({ admin: true, self: String(input.ownerId) }),
    unauthorizedError: forbidden(
      'CUSTOMER',
      'a customer opens accounts only for itself (ownerId = its sub)',
    ),
    resolve: (_root, { input }, context) =>
      context.ledger.openAccount(
        {
          accountId:
            input.accountId === null || input.accountId === undefined
              ? undefined
              : String(input.accountId),
          ownerId: String(input.ownerId),
          currency: input.currency,
          initialDeposit: input.initialDeposit ?? undefined,
        },
        commandRequest(context, input),
      ),
  }),
);

builder.mutationField('depositMoney', (t) =>
  t.field({
    type: AccountCommandResultType,
    args: { input: t.arg({ type: DepositMoneyInput, required: true }) },
    authScopes: { teller: true, admin: true },
    unauthorizedError: forbidden('TELLER', 'depositMoney needs the teller role'),
    resolve: (_root, { input }, context) =>
      context.ledger.depositMoney(
        {
          accountId: String(input.accountId),
          amount: input.amount,
          description: input.description ?? undefined,
        },
        commandRequest(context, input),
      ),
  }),
);

builder.mutationField('withdrawMoney', (t) =>
  t.field({
    type: AccountCommandResultType,
    args: { input: t.arg({ type: WithdrawMoneyInput, required: true }) },
    authScopes: { teller: true, admin: true },
    unauthorizedError: forbidden('TELLER', 'withdrawMoney needs the teller role'),
    resolve: (_root, { input }, context) =>
      context.ledger.withdrawMoney(
        {
          accountId: String(input.accountId),
          amount: input.amount,
          description: input.description ?? undefined,
        },
        commandRequest(context, input),
      ),
  }),
);

builder.mutationField('freezeAccount', (t) =>
  t.field({
    type: AccountCommandResultType,
    args: { input: t.arg({ type: AccountStatusInput, required: true }) },
    authScopes: { admin: true },
    unauthorizedError: forbidden('ADMIN', 'freezeAccount needs the admin role'),
    resolve: (_root, { input }, context) =>
      context.ledger.freezeAccount(
        { accountId: String(input.accountId), reason: input.reason },
        commandRequest(context, input),
      ),
  }),
);

builder.mutationField('unfreezeAccount', (t) =>
  t.field({
    type: AccountCommandResultType,
    args: { input: t.arg({ type: AccountStatusInput, required: true }) },
    authScopes: { admin: true },
    unauthorizedError: forbidden('ADMIN', 'unfreezeAccount needs the admin role'),
    resolve: (_root, { input }, context) =>
      context.ledger.unfreezeAccount(
        { accountId: String(input.accountId), reason: input.reason },
        commandRequest(context, input),
      ),
  }),
);

builder.mutationField('closeAccount', (t) =>
  t.field({
    type: AccountCommandResultType,
    description:
      'Only at zero balance and with no transfer in flight; a closed account stays closed',
    args: { input: t.arg({ type: AccountStatusInput, required: true }) },
    authScopes: { admin: true },
    unauthorizedError: forbidden('ADMIN', 'closeAccount needs the admin role'),
    resolve: (_root, { input }, context) =>
      context.ledger.closeAccount(
        { accountId: String(input.accountId), reason: input.reason },
        commandRequest(context, input),
      ),
  }),
);
