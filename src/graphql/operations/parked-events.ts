import { resolveCursorConnection } from '@pothos/plugin-relay';
import { type ParkedEvent, ParkedEventStore, parkedEventCursor } from '../../read/parking/index.js';
import { builder } from '../builder.js';
import { pageSize } from '../input-errors.js';

export const ParkedEventType = builder.objectRef<ParkedEvent>('ParkedEvent').implement({
  description:
    'An event a consumer (a projection or the process manager) failed to apply on every attempt. ' +
    'It moved past it; once the fault is fixed, replay it (`npm run tally -- parked --replay ID`).',
  fields: (t) => ({
    id: t.exposeID('id'),
    consumer: t.exposeString('consumer', { description: 'Which consumer parked it' }),
    streamId: t.exposeString('streamId'),
    revision: t.exposeInt('revision'),
    position: t.field({ type: 'Position', resolve: (event) => event.position.commit }),
    eventType: t.exposeString('eventType'),
    error: t.exposeString('error', { description: 'The last error, with its stack' }),
    attempts: t.exposeInt('attempts'),
    parkedAt: t.field({ type: 'DateTime', resolve: (event) => event.parkedAt }),
  }),
});

builder.queryField('parkedEvents', (t) =>
  t.connection(
    {
      type: ParkedEventType,
      description: 'Events parked by any consumer, in $all order. Auditors and admins only.',
      authScopes: { auditor: true, admin: true },
      resolve: async (_root, args, context) => {
        const size = pageSize(args.first ?? args.last, args.last ? 'last' : 'first');
        // The parked events live beside the checkpoints, in the read-model database.
        const parked = ParkedEventStore.inDatabase(context.models.checkpoints.db);
        return resolveCursorConnection<Promise<ParkedEvent[]>>(
          {
            args,
            defaultSize: size,
            maxSize: 100,
            toCursor: (event: ParkedEvent) => parkedEventCursor(event),
          },
          ({ before, after, limit, inverted }) =>
            parked.find({
              limit,
              inverted,
              ...(after ? { after } : {}),
              ...(before ? { before } : {}),
            }),
        );
      },
    },
    { name: 'ParkedEventConnection' },
    { name: 'ParkedEventEdge' },
  ),
);
