import { minorDigits } from '../../src/domain/currencies.js';
import type { CurrencyCode } from '../../src/domain/money.js';
import { formatMinor } from '../../src/domain/money.js';

/**
 * The oracle of the model-based test: what a ledger holding these accounts must answer,
 * kept as simply as possible (integer minor units, no events, no I/O).
 */
export type Status = 'OPEN' | 'FROZEN' | 'CLOSED';

export interface ModelAccount {
  id: string;
  currency: CurrencyCode;
  balance: number;
  status: Status;
}

/** A request sent under an idempotency key, so it can be retried or reused later. */
export interface KeyedRequest {
  key: string;
  mutation: 'depositMoney';
  accountId: string;
  amount: string;
}

/** A hold as the model expects it; expiresAt in epoch milliseconds of the model clock. */
export interface ModelHold {
  id: string;
  accountId: string;
  amount: number;
  expiresAt: number;
  status: 'ACTIVE' | 'CAPTURED' | 'RELEASED' | 'EXPIRED';
}

/** A transaction that may be reversed: where it is, what it moved, and when. */
export interface ModelTransaction {
  id: string;
  accountId: string;
  kind: 'DEPOSIT' | 'WITHDRAWAL' | 'FEE' | 'HOLD_CAPTURE';
  amount: number;
  at: number;
  reversed: boolean;
}

/** One account at the end of one instant of the model clock, for the interest oracle. */
export interface Snapshot {
  at: number;
  balance: number;
  status: Status;
  rateMicros: number | undefined;
}

/** What the model knows of interest: the rate in force, and its history by instant. */
export interface ModelInterest {
  rateMicros?: number;
  firstRateAt?: number;
  /** Start (epoch ms) of the last month paid. */
  paidMonth?: number;
  timeline: Snapshot[];
}

export interface LedgerModel {
  accounts: ModelAccount[];
  holds: ModelHold[];
  reversible: ModelTransaction[];
  interest: Map<string, ModelInterest>;
  /** Totals of the money the new kinds moved, per currency. */
  fees: Map<CurrencyCode, number>;
  paidInterest: Map<CurrencyCode, number>;
  captured: Map<CurrencyCode, number>;
  reversedIn: Map<CurrencyCode, number>;
  reversedOut: Map<CurrencyCode, number>;
  /** Money that entered (deposits) and left (withdrawals) through the API, per currency. */
  deposited: Map<CurrencyCode, number>;
  withdrawn: Map<CurrencyCode, number>;
  /** Each transfer and the terminal status it must reach. */
  transfers: Map<string, 'COMPLETED' | 'REFUNDED'>;
  keyed: KeyedRequest[];
}

export function emptyModel(): LedgerModel {
  return {
    accounts: [],
    holds: [],
    reversible: [],
    interest: new Map(),
    fees: new Map(),
    paidInterest: new Map(),
    captured: new Map(),
    reversedIn: new Map(),
    reversedOut: new Map(),
    deposited: new Map(),
    withdrawn: new Map(),
    transfers: new Map(),
    keyed: [],
  };
}

export const CURRENCIES: readonly CurrencyCode[] = ['USD', 'JPY'] as CurrencyCode[];

/** An amount of minor units written as the API takes it, in the currency's digits. */
export function decimal(minor: number, currency: CurrencyCode): string {
  return formatMinor(minor, currency);
}

/** The same amount written with fewer digits where it can be ("7.00" -> "7"): still one request. */
export function shortDecimal(minor: number, currency: CurrencyCode): string {
  const text = formatMinor(minor, currency);
  return minorDigits(currency) === 0 ? text : text.replace(/\.?0+$/, '');
}

export function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

export function add(totals: Map<CurrencyCode, number>, currency: CurrencyCode, minor: number) {
  totals.set(currency, (totals.get(currency) ?? 0) + minor);
}

/** The sum of an account's active holds. */
export function held(model: Readonly<LedgerModel>, accountId: string): number {
  return model.holds
    .filter((h) => h.accountId === accountId && h.status === 'ACTIVE')
    .reduce((sum, h) => sum + h.amount, 0);
}

export function available(model: Readonly<LedgerModel>, account: ModelAccount): number {
  return account.balance - held(model, account.id);
}
