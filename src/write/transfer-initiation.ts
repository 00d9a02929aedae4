import type { MovementData } from '../domain/account/events.js';
import type { TransferCommand } from '../domain/transfer/index.js';
import { deterministicId } from './envelope.js';

type TransferSentData = MovementData & { transferId: string; toAccountId: string };

/**
 * The InitiateTransfer command derived from a TransferSent event. The mutation and the process
 * manager both build it here, field for field, so theirs is recognised as the same command.
 */
export function initiationOf(sent: TransferSentData): TransferCommand {
  return {
    type: 'InitiateTransfer',
    transferId: sent.transferId,
    data: {
      transferId: sent.transferId,
      fromAccountId: sent.accountId,
      toAccountId: sent.toAccountId,
      amount: sent.amount,
      currency: sent.currency,
      ...(sent.description === undefined ? {} : { description: sent.description }),
    },
  };
}

/** Command ids of the steps of one transfer: deterministic, so a replayed step is a no-op. */
export const transferStepId = (transferId: string, step: string) =>
  deterministicId(`transfer:${transferId}:${step}`);
