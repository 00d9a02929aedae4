import { correlationIdOf, occurredAt, type RecordedEvent } from '../../events/recorded-event.js';
import { currentSchemaVersion } from '../../events/registry.js';
import { builder } from '../builder.js';

export const LedgerEventType = builder.objectRef<RecordedEvent>('LedgerEvent').implement({
  description:
    'One event as EventStoreDB holds it, with its envelope: who did what, when, why, and as part ' +
    'of which request. `data` is always in the current shape of `type` (older shapes are upcast).',
  fields: (t) => ({
    position: t.field({
      type: 'Position',
      description: 'Commit position in $all',
      resolve: (event) => event.position.commit,
    }),
    streamId: t.exposeString('streamId'),
    revision: t.exposeInt('revision', { description: 'Revision in its stream' }),
    type: t.exposeString('type', { description: 'The event type, as Tally names it today' }),
    schemaVersion: t.int({
      description:
        'The schema version the event was written under; older ones are upcast to the current shape',
      resolve: (event) => event.written?.schemaVersion ?? currentSchemaVersion(event.type),
    }),
    writtenType: t.string({
      description: 'The type it was written under; differs from `type` for a renamed legacy type',
      resolve: (event) => event.written?.type ?? event.type,
    }),
    occurredAt: t.field({
      type: 'DateTime',
      description: 'When it happened, by the clock of the command that caused it',
      resolve: (event) => occurredAt(event),
    }),
    recordedAt: t.field({
      type: 'DateTime',
      description: 'When EventStoreDB recorded it',
      resolve: (event) => event.created,
    }),
    actor: t.string({
      description: 'Who caused it: the token `sub`, or a `system:` principal of Tally itself',
      resolve: (event) => event.metadata.actor ?? 'unknown',
    }),
    reason: t.string({
      nullable: true,
      resolve: (event) => {
        const reason =
          event.metadata.reason ?? (event.data as { reason?: unknown } | undefined)?.reason;
        return typeof reason === 'string' ? reason : null;
      },
    }),
    correlationId: t.id({
      description: 'The request it belongs to (X-Correlation-Id); an imported event is its own',
      resolve: (event) => correlationIdOf(event),
    }),
    causationId: t.id({
      nullable: true,
      description: 'What caused it: the request, or the command of the step before',
      resolve: (event) => event.metadata.causationId ?? null,
    }),
    commandId: t.id({ nullable: true, resolve: (event) => event.metadata.commandId ?? null }),
    data: t.field({ type: 'JSON', resolve: (event) => event.data }),
  }),
});
