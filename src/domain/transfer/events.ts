import type { CurrencyCode } from '../money.js';

/**
 * Events of the transfer-<id> stream: the transfer's own life. The money moves on the account
 * streams (TransferSent, TransferReceived, TransferRefunded); this stream records the decision.
 */
export type TransferEvent =
  | {
      type: 'TransferInitiated';
      data: {
        transferId: string;
        fromAccountId: string;
        toAccountId: string;
        amount: number;
        currency: CurrencyCode;
        description?: string;
      };
    }
  | { type: 'TransferCompleted'; data: { transferId: string } }
  /** The target refused the money; the source is refunded. */
  | { type: 'TransferRejected'; data: { transferId: string; reason: string } };

export type TransferEventType = TransferEvent['type'];

export const transferEventTypes: readonly TransferEventType[] = [
  'TransferInitiated',
  'TransferCompleted',
  'TransferRejected',
];
