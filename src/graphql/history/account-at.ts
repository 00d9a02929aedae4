import { GraphQLError } from 'graphql';
import type { HoldRecord } from '../../domain/account/state.js';
import { parseId } from '../../domain/ids.js';
import type { CurrencyCode } from '../../domain/money.js';
import { STAFF_READ } from '../auth/rules.js';
import { builder } from '../builder.js';
import { HoldType, holdFromRecord } from '../hold/hold.js';
import { asUserInputError } from '../input-errors.js';
import { AccountStatusEnum } from '../shared/errors.js';
import { MoneyType } from '../shared/money.js';
import type { AccountAsOf } from './history-reader.js';
import { reportingUnreadableEvents } from './upcast-errors.js';

/**
 * The fields of the folded state this view reads beyond the basics. They are read by name, so
 * the view keeps working while the account's state grows (holds, interest): a field the state
 * does not have yet reads as none.
 */
interface BankingFields {
  held?: number;
  activeHolds?: ReadonlyMap<string, HoldRecord>;
  interestRate?: string;
}

export const AccountAsOfType = builder.objectRef<AccountAsOf>('AccountAsOf').implement({
  description:
    'An account as it stood at a moment, folded from the event store with the write side’s own ' +
    'evolve (from the newest snapshot at or before the moment).',
  fields: (t) => ({
    id: t.id({ resolve: ({ state }) => state.id }),
    ownerId: t.id({ resolve: ({ state }) => state.ownerId }),
    currency: t.string({ resolve: ({ state }) => state.currency }),
    balance: t.field({
      type: MoneyType,
      resolve: ({ state }) => ({ minor: state.balance, currency: state.currency }),
    }),
    availableBalance: t.field({
      type: MoneyType,
      description: 'The balance minus the holds active at that moment',
      resolve: ({ state }) => ({
        minor: state.balance - ((state as BankingFields).held ?? 0),
        currency: state.currency,
      }),
    }),
    status: t.field({ type: AccountStatusEnum, resolve: ({ state }) => state.status }),
    revision: t.int({
      description: 'Revision of the last event folded in',
      resolve: ({ revision }) => revision,
    }),
    interestRate: t.field({
      type: 'Decimal',
      nullable: true,
      resolve: ({ state }) => (state as BankingFields).interestRate ?? null,
    }),
    activeHolds: t.field({
      type: [HoldType],
      resolve: ({ state }) => {
        const holds = (state as BankingFields).activeHolds;
        const account = { id: state.id, currency: state.currency as CurrencyCode };
        return [...(holds?.values() ?? [])].map((hold) => holdFromRecord(hold, account));
      },
    }),
    asOf: t.field({
      type: 'DateTime',
      description: 'occurredAt of the last event folded in',
      resolve: ({ asOf }) => asOf,
    }),
  }),
});

builder.queryField('accountAt', (t) =>
  t.field({
    type: AccountAsOfType,
    nullable: true,
    description:
      'The whole account as it stood after the last event at or before `at`, or after the event at ' +
      '`revision`: give exactly one. Null before the account existed.',
    args: {
      id: t.arg.id({ required: true }),
      at: t.arg({ type: 'DateTime' }),
      revision: t.arg.int(),
    },
    authScopes: (_root, args) => ({ ...STAFF_READ, accountOwner: String(args.id) }),
    resolve: (_root, args, context) =>
      reportingUnreadableEvents(async () => {
        const id = asUserInputError(() => parseId(String(args.id), 'id'));
        const at = args.at ?? undefined;
        const revision = args.revision ?? undefined;
        if ((at === undefined) === (revision === undefined)) {
          throw new GraphQLError('give exactly one of at and revision', {
            extensions: { code: 'BAD_USER_INPUT', field: at === undefined ? 'at' : 'revision' },
          });
        }
        if (revision !== undefined && revision < 0) {
          throw new GraphQLError('revision: must be 0 or more', {
            extensions: { code: 'BAD_USER_INPUT', field: 'revision' },
          });
        }
        const asOf = await context.history.accountAsOf(
          id,
          revision === undefined ? { at: at! } : { revision },
        );
        return asOf ?? null;
      }),
  }),
);
