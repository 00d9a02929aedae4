import type { MovementData } from '../domain/account/events.js';
import {
  AccountNotFoundError,
  AccountNotOpenError,
  CurrencyMismatchError,
} from '../domain/errors.js';
import type { TransferState } from '../domain/transfer/index.js';
import type { RecordedEvent } from '../read/recorded-event.js';
import type { CommandContext } from '../write/envelope.js';
import type { Ledger } from '../write/ledger.js';
import { initiationOf, transferStepId } from '../write/transfer-initiation.js';

/** The principal the process manager writes as; no token can claim a `system:` principal. */
export const PROCESS_MANAGER_ACTOR = 'system:transfer-process-manager';

type TransferSent = MovementData & { transferId: string; toAccountId: string };

/**
 * Settles one transfer after its source was debited: credits the target and tells the source
 * it was delivered, or, when the target refuses (missing, frozen, closed, other currency),
 * records the rejection and refunds the source.
 *
 * Every step is decided from the transfer stream's **current** state, never from what a
 * replayed command returned the first time, and every step has a deterministic command id.
 * So replays after any crash, in any order, repeat nothing: a transfer already REFUNDED is
 * never credited, one already COMPLETED never refunded.
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
    causedAt: event.position.commit,
    // When the step happens, not when the transfer was sent: a credit made after an outage
    // must show in the target's history at the time the money really arrived.
    occurredAt: clock().toISOString(),
  });

  // Initiating is a no-op when the mutation already did it; either way `current` is the
  // transfer as it stands now.
  const initiated = await ledger.onTransfer(initiationOf(sent), context('initiate'));
  let transfer: TransferState = initiated.current;
  if (!transfer.exists) throw new Error(`transfer ${transferId} could not be initiated`);

  if (transfer.status === 'PENDING') transfer = await creditTarget(ledger, sent, context);
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
    await ledger.onAccount(
      {
        type: 'RefundTransfer',
        accountId: sent.accountId,
        data: {
          transferId,
          toAccountId: sent.toAccountId,
          amount: sent.amount,
          currency: sent.currency,
          reason: transfer.reason ?? 'refused by the target account',
        },
      },
      context('refund'),
    );
  }
}

/**
 * Credits the target and completes the transfer; if the target refuses, records the rejection
 * on the transfer stream first, so that a replay reads it back and refunds instead of crediting.
 */
async function creditTarget(
  ledger: Ledger,
  sent: TransferSent,
  context: (step: string) => CommandContext,
): Promise<TransferState> {
  const { transferId } = sent;
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
  } catch (error) {
    if (!isRefusal(error)) throw error;
    const rejected = await ledger.onTransfer(
      { type: 'RejectTransfer', transferId, data: { reason: error.message } },
      context('reject'),
    );
    return rejected.current;
  }
  const completed = await ledger.onTransfer(
    { type: 'CompleteTransfer', transferId },
    context('complete'),
  );
  return completed.current;
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
