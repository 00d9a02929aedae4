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

export interface LedgerModel {
  accounts: ModelAccount[];
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
