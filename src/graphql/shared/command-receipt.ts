import type { Position } from '@eventstore/db-client';
import { builder } from '../builder.js';

/** What every successful mutation carries besides its result: where to read it back, and why. */
export interface CommandReceipt {
  position: Position;
  correlationId: string;
}

/**
 * The `position` and `correlationId` fields of every success payload, declared once as an
 * interface so each payload type gets the same two fields, descriptions and resolvers.
 */
export const CommandReceiptInterface = builder
  .interfaceRef<CommandReceipt>('CommandReceipt')
  .implement({
    description: 'Where a successful command can be read back from, and the story it belongs to',
    fields: (t) => ({
      position: t.field({
        type: 'Position',
        description:
          "Position of the command's last event; pass it as consistentWith to read it back",
        resolve: (receipt) => receipt.position.commit,
      }),
      correlationId: t.id({
        description: 'The correlation id every event of the command carries',
        resolve: (receipt) => receipt.correlationId,
      }),
    }),
  });
