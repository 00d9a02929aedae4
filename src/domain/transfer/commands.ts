import type { TransferEvent } from './events.js';

export type TransferCommand = { transferId: string } & (
  | {
      type: 'InitiateTransfer';
      data: Extract<TransferEvent, { type: 'TransferInitiated' }>['data'];
    }
  | { type: 'CompleteTransfer' }
  | { type: 'RejectTransfer'; data: { reason: string } }
);
