import type { MovementData } from '../domain/account/events.js';
import {
  AccountNotFoundError,
  AccountNotOpenError,
  CurrencyMismatchError,
} from '../domain/errors.js';
import type { RecordedEvent } from '../read/recorded-event.js';
import type { CommandContext } from '../write/envelope.js';
import type { Ledger } from '../write/ledger.js';
import { initiationOf, transferStepId } from '../write/transfer-initiation.js';

export const PROCESS_MANAGER_ACTOR = 'system:transfer-process-manager';

type TransferSent = MovementData & { transferId: string; toAccountId: string };

/**
 * Settles each transfer after its source was debited: credits the target and tells the source
 * it was delivered, or, when the target refuses (missing, frozen, closed, other currency),
 * records the rejection and refunds the source.
 *
 * Every step is a command with a deterministic id, so replaying from the checkpoint after a
 * crash repeats nothing. The decision is written to the transfer stream before the refund, and
 * read back on replay, so a transfer is never both credited and refunded.
 */
export async function settleTransfer(
  ledger: Ledger,
  event: RecordedEvent,
  clock: () => Date = () => new Date(),
): Promise<void> {
  const sent = event.data as TransferSent;
  const { transferId } = sent;
  const context = (step: string): CommandContext => ({
    commandId: transferStepId(transferId, step),
    actor: PROCESS_MANAGER_ACTOR,
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.commandId,
    // When the step happens, not when the transfer was sent: a credit made after an outage
    // must show in the target's history at the time the money really arrived.
    occurredAt: clock().toISOString(),
  });

  const initiated = await ledger.onTransfer(initiationOf(sent), context('initiate'));
  let transfer = initiated.state;
  if (!transfer.exists) throw new Error(`transfer ${transferId} could not be initiated`);

  if (transfer.status === 'PENDING') {
    try {
      await ledger.onAccount(
        {
          type: 'ReceiveTransfer',
          accountId: sent.toAccountId,
          data: {
            transferId,
            fromAccountId: sent.accountId,
            amount: sent.amount,
            currency: sent.currency,
            ...(sent.description === undefined ? {} : { description: sent.description }),
          },
        },
        context('receive'),
      );
      const completed = await ledger.onTransfer(
        { type: 'CompleteTransfer', transferId },
        context('complete'),
      );
      transfer = completed.state;
    } catch (error) {
      if (!isRefusal(error)) throw error;
      const rejected = await ledger.onTransfer(
        { type: 'RejectTransfer', transferId, data: { reason: error.message } },
        { ...context('reject'), reason: error.message },
      );
      transfer = rejected.state;
    }
  }
  if (!transfer.exists) return;

  if (transfer.status === 'COMPLETED') {
    // Tell the source the money arrived, so it no longer counts the transfer as in flight.
    await ledger.onAccount(
      {
        type: 'ConfirmTransferDelivered',
        accountId: sent.accountId,
        data: { transferId, toAccountId: sent.toAccountId },
      },
      context('delivered'),
    );
  } else if (transfer.status === 'REFUNDED') {
    const reason = transfer.reason ?? 'refused by the target account';
    await ledger.onAccount(
      {
        type: 'RefundTransfer',
        accountId: sent.accountId,
        data: {
          transferId,
          toAccountId: sent.toAccountId,
          amount: sent.amount,
          currency: sent.currency,
          reason,
        },
      },
      { ...context('refund'), reason },
    );
  }
}

function isRefusal(
  error: unknown,
): error is AccountNotFoundError | AccountNotOpenError | CurrencyMismatchError {
  return (
    error instanceof AccountNotFoundError ||
    error instanceof AccountNotOpenError ||
    error instanceof CurrencyMismatchError
  );
}
