import { parseId } from '../../domain/ids.js';
import { accountActivity } from '../../live/account-activity.js';
import { balanceChanges } from '../../live/balance-changes.js';
import type { AccountDocument, TransactionDocument } from '../../read/documents.js';
import { STAFF_READ } from '../auth/rules.js';
import { builder } from '../builder.js';
import { asUserInputError } from '../input-errors.js';
import { AccountType } from './account.js';
import { TransactionType } from './transaction.js';

builder.subscriptionField('balanceChanged', (t) =>
  t.field({
    type: AccountType,
    description:
      'The current account document (when above afterRevision), then each new state, in order, with no gap or duplicate.',
    args: { accountId: t.arg.id({ required: true }), afterRevision: t.arg.int() },
    authScopes: (_root, args) => ({ ...STAFF_READ, accountOwner: String(args.accountId) }),
    subscribe: (_root, args, context) => {
      const accountId = asUserInputError(() => parseId(String(args.accountId), 'accountId'));
      const after = args.afterRevision ?? undefined;
      return balanceChanges(context.live.accounts, context.models.accounts, accountId, after);
    },
    resolve: (account: AccountDocument) => account,
  }),
);

builder.subscriptionField('accountActivity', (t) =>
  t.field({
    type: TransactionType,
    description:
      'Every transaction above afterRevision, in order, then the live ones, each exactly once.',
    args: { accountId: t.arg.id({ required: true }), afterRevision: t.arg.int() },
    authScopes: (_root, args) => ({ ...STAFF_READ, accountOwner: String(args.accountId) }),
    subscribe: (_root, args, context) => {
      const accountId = asUserInputError(() => parseId(String(args.accountId), 'accountId'));
      const after = args.afterRevision ?? undefined;
      return accountActivity(
        context.live.transactions,
        context.models.transactions,
        accountId,
        after,
      );
    },
    resolve: (transaction: TransactionDocument) => transaction,
  }),
);
