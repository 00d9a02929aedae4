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
  | { type: 'AccountClosed'; data: { accountId: string; reason: string } };

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
];
