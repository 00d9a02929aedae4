import type { CurrencyCode } from '../money.js';

/**
 * Events of the account-<id> stream. Amounts and balances are integer minor units of `currency`.
 * `balanceAfter` is carried so read models can set the balance instead of incrementing it,
 * which keeps projections idempotent.
 */
export type AccountEvent =
  | { type: 'AccountOpened'; data: { accountId: string; ownerId: string; currency: CurrencyCode } }
  | { type: 'MoneyDeposited'; data: MovementData }
  | { type: 'MoneyWithdrawn'; data: MovementData }
  | { type: 'TransferSent'; data: MovementData & { transferId: string; toAccountId: string } }
  | { type: 'TransferReceived'; data: MovementData & { transferId: string; fromAccountId: string } }
  | {
      type: 'TransferRefunded';
      data: MovementData & { transferId: string; toAccountId: string; reason: string };
    }
  /** The target took the money of a transfer this account sent: it is no longer in flight. */
  | {
      type: 'TransferDelivered';
      data: { accountId: string; transferId: string; toAccountId: string };
    }
  | { type: 'AccountFrozen'; data: { accountId: string; reason: string } }
  | { type: 'AccountUnfrozen'; data: { accountId: string; reason: string } }
  | { type: 'AccountClosed'; data: { accountId: string; reason: string } }
  // Holds, after TigerBeetle's two-phase transfers. `heldAfter` is the total of
  // the account's active holds after the event, so read models set it instead of adding to it.
  | { type: 'FundsReserved'; data: HoldPlacedData }
  /** The money left the account; a partial capture releases the rest (`released`) at once. */
  | {
      type: 'HoldCaptured';
      data: MovementData & {
        holdId: string;
        released: number;
        heldAfter: number;
        capturedAt: string;
      };
    }
  | { type: 'FundsReleased'; data: HoldSettledData & { reason: string; releasedAt: string } }
  /** Released by the expiry process at `expiredAt`, its own clock's time. */
  | { type: 'HoldExpired'; data: HoldSettledData & { expiredAt: string } }
  | { type: 'FeeCharged'; data: MovementData & { reason: string } }
  /** `annualRate` is a fraction in canonical decimal form: "0.035" is 3.5% a year. */
  | { type: 'InterestRateChanged'; data: { accountId: string; annualRate: string; reason: string } }
  /** Interest of one calendar month [periodStart, periodEnd), posted once, after it ended. */
  | {
      type: 'InterestPaid';
      data: MovementData & { periodStart: string; periodEnd: string; rate: string; days: number };
    }
  /**
   * A compensating movement: the amount of the transaction `reverses` (`<accountId>:<revision>`),
   * the other way. `direction` is IN when money returns to the account (a withdrawal, fee or
   * capture reversed), OUT when it leaves (a deposit reversed).
   */
  | {
      type: 'TransactionReversed';
      data: MovementData & {
        reverses: string;
        reversedKind: ReversibleKind;
        direction: 'IN' | 'OUT';
        reason: string;
        holdId?: string;
      };
    };

export type ReversibleKind = 'DEPOSIT' | 'WITHDRAWAL' | 'FEE' | 'HOLD_CAPTURE';

export interface HoldPlacedData {
  accountId: string;
  holdId: string;
  amount: number;
  currency: CurrencyCode;
  reason: string;
  placedAt: string;
  expiresAt: string;
  heldAfter: number;
}

export interface HoldSettledData {
  accountId: string;
  holdId: string;
  /** The amount that stops being held. */
  amount: number;
  currency: CurrencyCode;
  heldAfter: number;
}

export interface MovementData {
  accountId: string;
  amount: number;
  currency: CurrencyCode;
  balanceAfter: number;
  description?: string;
}

export type AccountEventType = AccountEvent['type'];

export const accountEventTypes: readonly AccountEventType[] = [
  'AccountOpened',
  'MoneyDeposited',
  'MoneyWithdrawn',
  'TransferSent',
  'TransferReceived',
  'TransferRefunded',
  'TransferDelivered',
  'AccountFrozen',
  'AccountUnfrozen',
  'AccountClosed',
  'FundsReserved',
  'HoldCaptured',
  'FundsReleased',
  'HoldExpired',
  'FeeCharged',
  'InterestRateChanged',
  'InterestPaid',
  'TransactionReversed',
];
