import type { AccountEventType } from '../domain/account/index.js';
import type { CurrencyCode } from '../domain/money.js';
import type { LedgerTotals, TotalField } from './totals.js';

/**
 * How each money event moves the ledger-wide totals: the event's amount is added to (1n) or
 * taken from (-1n) each listed total. This table is the only place that knows it; the
 * projection, the verifier and the per-event balance check all read it, so a new kind of money
 * event (a fee, interest, a capture, a reversal) is one line here.
 */
const EFFECTS: Partial<Record<AccountEventType, Partial<Record<TotalField, 1n | -1n>>>> = {
  MoneyDeposited: { deposited: 1n },
  MoneyWithdrawn: { withdrawn: 1n },
  TransferSent: { inFlight: 1n },
  TransferReceived: { inFlight: -1n },
  TransferRefunded: { inFlight: -1n },
  FeeCharged: { fees: 1n },
  InterestPaid: { interest: 1n },
  HoldCaptured: { captured: 1n },
};

/** A reversal moves money back into the account (IN) or out of it (OUT), as its data says. */
const REVERSAL_EFFECTS = { IN: { reversedIn: 1n }, OUT: { reversedOut: 1n } } as const;

export interface TotalsChange {
  currency: CurrencyCode;
  change: Partial<LedgerTotals>;
}

/** The change an event makes to its currency's totals, or undefined if it moves no money. */
export function totalsChange(event: { type: string; data: unknown }): TotalsChange | undefined {
  const effect =
    event.type === 'TransactionReversed'
      ? REVERSAL_EFFECTS[(event.data as { direction: 'IN' | 'OUT' }).direction]
      : EFFECTS[event.type as AccountEventType];
  if (!effect) return undefined;
  const { amount, currency } = event.data as { amount: number; currency: CurrencyCode };
  const change: Partial<LedgerTotals> = {};
  for (const [field, sign] of Object.entries(effect) as Array<[TotalField, bigint]>) {
    change[field] = sign * BigInt(amount);
  }
  return { currency, change };
}
