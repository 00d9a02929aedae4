import type { TransferCommand } from './commands.js';
import type { TransferEvent } from './events.js';
import type { TransferState } from './state.js';

/**
 * A transfer is initiated once and then settles exactly once, either completed or rejected.
 * Repeating the settlement it already has is a no-op, so a replayed process manager is harmless;
 * asking for the other settlement is a bug, because the money has already moved one way.
 */
export function decideTransfer(command: TransferCommand, state: TransferState): TransferEvent[] {
  switch (command.type) {
    case 'InitiateTransfer':
      if (!state.exists) return [{ type: 'TransferInitiated', data: command.data }];
      if (!sameTransfer(state, command.data)) {
        // Transfer ids derive from their source, so this is a broken invariant, not user error:
        // fail loudly (the process manager parks the event) rather than settle the wrong money.
        throw new Error(`transfer ${state.id} already exists with other accounts or amount`);
      }
      return [];
    case 'CompleteTransfer':
      return settle(state, 'COMPLETED', () => ({
        type: 'TransferCompleted',
        data: { transferId: command.transferId },
      }));
    case 'RejectTransfer':
      return settle(state, 'REFUNDED', () => ({
        type: 'TransferRejected',
        data: { transferId: command.transferId, reason: command.data.reason },
      }));
    default: {
      const unexpected: never = command;
      throw new Error(`unknown command ${JSON.stringify(unexpected)}`);
    }
  }
}

function sameTransfer(
  state: Extract<TransferState, { exists: true }>,
  data: Extract<TransferCommand, { type: 'InitiateTransfer' }>['data'],
): boolean {
  return (
    state.fromAccountId === data.fromAccountId &&
    state.toAccountId === data.toAccountId &&
    state.amount === data.amount &&
    state.currency === data.currency
  );
}

function settle(
  state: TransferState,
  outcome: 'COMPLETED' | 'REFUNDED',
  event: () => TransferEvent,
): TransferEvent[] {
  if (!state.exists) throw new Error('cannot settle a transfer that was never initiated');
  if (state.status === outcome) return [];
  if (state.status !== 'PENDING') {
    throw new Error(`transfer ${state.id} is already ${state.status}, cannot become ${outcome}`);
  }
  return [event()];
}
