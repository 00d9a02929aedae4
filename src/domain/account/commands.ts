/**
 * Commands on one account. Amounts arrive as the client's Decimal strings, because only the
 * account's state knows its currency, and so how many minor digits are allowed.
 */
/** Every command names the account it targets, so decide can report a missing one. */
export type AccountCommand = { accountId: string } & AccountCommandBody;

type AccountCommandBody =
  | {
      type: 'OpenAccount';
      data: { ownerId: string; currency: string; initialDeposit?: string };
    }
  | { type: 'DepositMoney'; data: { amount: string; description?: string } }
  | { type: 'WithdrawMoney'; data: { amount: string; description?: string } }
  | {
      type: 'SendTransfer';
      data: { transferId: string; toAccountId: string; amount: string; description?: string };
    }
  | {
      type: 'ReceiveTransfer';
      data: {
        transferId: string;
        fromAccountId: string;
        amount: number;
        currency: string;
        description?: string;
      };
    }
  | {
      type: 'RefundTransfer';
      data: {
        transferId: string;
        toAccountId: string;
        amount: number;
        currency: string;
        reason: string;
      };
    }
  | { type: 'ConfirmTransferDelivered'; data: { transferId: string; toAccountId: string } }
  | { type: 'FreezeAccount'; data: { reason: string } }
  | { type: 'UnfreezeAccount'; data: { reason: string } }
  | { type: 'CloseAccount'; data: { reason: string } }
  // `at` is the command's time (ISO-8601), from the clock at the edge or of the process that
  // sends it: the rules that depend on time judge against it, never against a clock.
  | {
      type: 'PlaceHold';
      data: { holdId: string; amount: string; reason: string; expiresAt?: string; at: string };
    }
  | {
      type: 'CaptureHold';
      data: { holdId: string; amount?: string; description?: string; at: string };
    }
  | { type: 'ReleaseHold'; data: { holdId: string; reason: string; at: string } }
  /** Sent by the expiry process once its clock passes the hold's expiresAt. */
  | { type: 'ExpireHold'; data: { holdId: string; at: string } }
  | { type: 'ChargeFee'; data: { amount: string; reason: string } }
  | { type: 'SetInterestRate'; data: { annualRate: string; reason: string } }
  /** Sent by the interest process with the amount it computed (interest.ts) for a past month. */
  | {
      type: 'PayInterest';
      data: { periodStart: string; periodEnd: string; amount: number; rate: string; days: number };
    }
  | {
      type: 'ReverseTransaction';
      data: {
        transactionId: string;
        /** The event the id names, as the ledger read it from this stream; absent if none. */
        original: OriginalTransaction | undefined;
        reason: string;
        at: string;
      };
    };

/** An event of the account's stream that a reversal points at, with the time it occurred. */
export interface OriginalTransaction {
  revision: number;
  type: string;
  data: unknown;
  occurredAt: string;
}
