import { type EventStoreDBClient, eventTypeFilter } from '@eventstore/db-client';
import type { MovementData } from '../domain/account/events.js';
import type { Logger } from '../logger.js';
import type { CheckpointStore } from '../read/checkpoint-store.js';
import { CheckpointedSubscription } from '../read/checkpointed-subscription.js';
import type { RetryPolicy } from '../read/parking/index.js';
import type { RecordedEvent } from '../read/recorded-event.js';
import type { Ledger } from '../write/ledger.js';
import { settleTransfer } from './settle-transfer.js';

export { PROCESS_MANAGER_ACTOR, settleTransfer } from './settle-transfer.js';

type TransferSent = MovementData & { transferId: string; toAccountId: string };

export const PROCESS_MANAGER_CHECKPOINT = 'process-manager:transfers';
export const PROCESS_MANAGER_NAME = 'transfer-process-manager';

export interface ProcessManagerOptions {
  /** How a transfer that fails to settle is retried before it is parked. */
  retry?: RetryPolicy;
  /** Settles one transfer; tests wrap it to inject a fault. */
  settle?: (event: RecordedEvent) => Promise<void>;
}

/** The process manager is a checkpointed $all subscription to TransferSent events. */
export function createTransferProcessManager(
  client: EventStoreDBClient,
  ledger: Ledger,
  checkpoints: CheckpointStore,
  logger: Logger,
  clock: () => Date = () => new Date(),
  options: ProcessManagerOptions = {},
): CheckpointedSubscription {
  const settle = options.settle ?? ((event) => settleTransfer(ledger, event, clock));
  return new CheckpointedSubscription(
    client,
    checkpoints,
    {
      name: PROCESS_MANAGER_NAME,
      checkpointNames: [PROCESS_MANAGER_CHECKPOINT],
      filter: eventTypeFilter({ prefixes: ['TransferSent'] }),
      maxBatchSize: 50,
      ...(options.retry ? { retry: options.retry } : {}),
      handleBatch: async (events, guard) => {
        // Transfers to different targets settle concurrently; those to the same target one
        // after another, so they do not fight over its expected revision. Each transfer is
        // retried and, failing that, parked on its own: one that cannot settle must not hold
        // up the others. The checkpoint moves once every one is settled or parked.
        const byTarget = new Map<string, RecordedEvent[]>();
        for (const event of events) {
          const target = (event.data as TransferSent).toAccountId;
          byTarget.set(target, [...(byTarget.get(target) ?? []), event]);
        }
        await Promise.all(
          [...byTarget.values()].map(async (transfers) => {
            for (const event of transfers) await guard.apply(event, () => settle(event));
          }),
        );
      },
    },
    logger,
    clock,
  );
}
