import { resolveCursorConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { accountStreamName } from '../../domain/account/index.js';
import type { RecordedEvent } from '../../events/recorded-event.js';
import { AccountType } from '../account/account.js';
import { builder } from '../builder.js';
import { decodeCursor, encodeCursor } from '../cursors.js';
import { pageSize } from '../input-errors.js';
import { MoneyType } from '../shared/money.js';
import { LedgerEventType } from './ledger-event.js';
import { reportingUnreadableEvents } from './upcast-errors.js';

// History on the Account type, kept in its own file (builder.objectFields), so the account's
// own fields and these never share a file.

builder.objectFields(AccountType, (t) => ({
  history: t.connection(
    {
      type: LedgerEventType,
      description:
        "Every event of the account's stream, oldest first, straight from EventStoreDB (not a read " +
        'model). Auditors, admins and the owning customer.',
      authScopes: (account) => ({ auditor: true, admin: true, self: account.ownerId }),
      resolve: (account, args, context) =>
        reportingUnreadableEvents(() => {
          const limit = pageSize(args.first ?? args.last, args.last ? 'last' : 'first');
          const stream = accountStreamName(account._id);
          return resolveCursorConnection<Promise<RecordedEvent[]>>(
            {
              args,
              defaultSize: limit,
              maxSize: 100,
              toCursor: (event: RecordedEvent) => encodeCursor('event', event.revision),
            },
            async ({ before, after, limit, inverted }) => {
              const lower = after ? revisionOf(after, 'after') + 1 : 0;
              if (!inverted) {
                const events = await context.history.page(stream, lower - 1, limit);
                return before
                  ? events.filter((e) => e.revision < revisionOf(before, 'before'))
                  : events;
              }
              // Newest first from `before` (or the end), back to `after`.
              const upper = before
                ? revisionOf(before, 'before') - 1
                : await context.history.lastRevision(stream);
              const from = Math.max(lower, upper - limit + 1);
              if (upper < from) return [];
              const events = await context.history.page(stream, from - 1, upper - from + 1);
              return events.reverse();
            },
          );
        }),
    },
    { name: 'LedgerEventConnection' },
    { name: 'LedgerEventEdge' },
  ),
  balanceAt: t.field({
    type: MoneyType,
    nullable: true,
    description:
      'The balance as it stood at a moment: the account folded from the event store up to the last ' +
      'event at or before it, the same fold as accountAt. Null before the account was opened.',
    args: { at: t.arg({ type: 'DateTime', required: true }) },
    resolve: (account, { at }, context) =>
      reportingUnreadableEvents(async () => {
        const asOf = await context.history.accountAsOf(account._id, { at });
        return asOf ? { minor: asOf.state.balance, currency: asOf.state.currency } : null;
      }),
  }),
}));

function revisionOf(cursor: string, field: string): number {
  const revision = Number(decodeCursor('event', cursor, field));
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new GraphQLError(`${field}: is not a cursor this connection issued`, {
      extensions: { code: 'BAD_USER_INPUT', field },
    });
  }
  return revision;
}
