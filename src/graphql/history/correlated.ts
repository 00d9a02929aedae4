import type { RecordedEvent } from '../../events/recorded-event.js';
import { positionFromDocument } from '../../read/position.js';
import { builder } from '../builder.js';
import { awaitReadModels, CONSISTENT_WITH } from '../consistency.js';
import { LedgerEventType } from './ledger-event.js';
import { reportingUnreadableEvents } from './upcast-errors.js';

/** At most this many events per correlation id; a client reusing one id forever gets the first. */
export const MAX_CORRELATED = 1000;

builder.queryField('correlated', (t) =>
  t.field({
    type: [LedgerEventType],
    description:
      'Every event, across all streams, caused by one request (its X-Correlation-Id, or the ' +
      "correlationId a mutation returned), in $all order: a transfer's mutation, debit, credit " +
      `or refund, and delivery, as one story. At most ${MAX_CORRELATED}. Auditors and admins.`,
    args: {
      correlationId: t.arg.id({ required: true }),
      consistentWith: t.arg({
        type: 'Position',
        description: CONSISTENT_WITH,
      }),
    },
    authScopes: { auditor: true, admin: true },
    resolve: (_root, args, context) =>
      reportingUnreadableEvents(async () => {
        await awaitReadModels(context, args.consistentWith);
        const refs = await context.models.correlations
          .find({ correlationId: String(args.correlationId) })
          .sort({ commit: 1, prepare: 1 })
          .limit(MAX_CORRELATED)
          .toArray();
        const events = await Promise.all(
          refs.map(async (ref) => {
            const event = await context.history.eventAt(ref.streamId, ref.revision);
            return event && { ...event, position: positionFromDocument(ref) };
          }),
        );
        return events.filter((event): event is RecordedEvent => event !== undefined);
      }),
  }),
);
