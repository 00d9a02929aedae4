import { type EventStoreDBClient, eventTypeFilter } from '@eventstore/db-client';
import type { MovementData } from '../domain/account/events.js';
import type { Logger } from '../logger.js';
import type { CheckpointStore } from '../read/checkpoint-store.js';
import { CheckpointedSubscription } from '../read/checkpointed-subscription.js';
import type { RecordedEvent } from '../read/recorded-event.js';
import type { Ledger } from '../write/ledger.js';
import { settleTransfer } from './settle-transfer.js';

export { PROCESS_MANAGER_ACTOR, settleTransfer } from './settle-transfer.js';

type TransferSent = MovementData & { transferId: string; toAccountId: string };

export const PROCESS_MANAGER_CHECKPOINT = 'process-manager:transfers';

/** The process manager is a checkpointed $all subscription to TransferSent events. */
export function createTransferProcessManager(
  client: EventStoreDBClient,
  ledger: Ledger,
  checkpoints: CheckpointStore,
  logger: Logger,
  clock: () => Date = () => new Date(),
): CheckpointedSubscription {
  return new CheckpointedSubscription(
    client,
    checkpoints,
    {
      name: 'transfer-process-manager',
      checkpointNames: [PROCESS_MANAGER_CHECKPOINT],
      filter: eventTypeFilter({ prefixes: ['TransferSent'] }),
      maxBatchSize: 50,
      handleBatch: async (events) => {
        // Transfers to different targets settle concurrently; those to the same target one
        // after another, so they do not fight over its expected revision. The checkpoint moves
        // only after the whole batch is settled.
        const byTarget = new Map<string, RecordedEvent[]>();
        for (const event of events) {
          const target = (event.data as TransferSent).toAccountId;
          byTarget.set(target, [...(byTarget.get(target) ?? []), event]);
        }
        await Promise.all(
          [...byTarget.values()].map(async (transfers) => {
            for (const event of transfers) await settleTransfer(ledger, event, clock);
          }),
        );
      },
    },
    logger,
  );
}
