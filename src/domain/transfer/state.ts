import type { CurrencyCode } from '../money.js';
import type { TransferEvent } from './events.js';

export type TransferStatus = 'PENDING' | 'COMPLETED' | 'REFUNDED';

export type TransferState =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly id: string;
      readonly fromAccountId: string;
      readonly toAccountId: string;
      readonly amount: number;
      readonly currency: CurrencyCode;
      readonly status: TransferStatus;
      readonly reason?: string;
    };

export const initialTransferState: TransferState = { exists: false };

export function evolveTransfer(state: TransferState, event: TransferEvent): TransferState {
  switch (event.type) {
    case 'TransferInitiated': {
      const { transferId, fromAccountId, toAccountId, amount, currency } = event.data;
      return {
        exists: true,
        id: transferId,
        fromAccountId,
        toAccountId,
        amount,
        currency,
        status: 'PENDING',
      };
    }
    case 'TransferCompleted':
      return state.exists ? { ...state, status: 'COMPLETED' } : state;
    case 'TransferRejected':
      return state.exists ? { ...state, status: 'REFUNDED', reason: event.data.reason } : state;
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}
