import { Long } from 'mongodb';

/**
 * Ledger-wide totals of one currency, in integer minor units. Bigint, because one amount is at
 * most 10^15 but a total of many may pass 2^53, where a JS number stops being exact.
 */
export const TOTAL_FIELDS = [
  'deposited',
  'withdrawn',
  'inFlight',
  'fees',
  'interest',
  'captured',
  'reversedIn',
  'reversedOut',
] as const;

export type TotalField = (typeof TOTAL_FIELDS)[number];
export type LedgerTotals = Record<TotalField, bigint>;

export function zeroTotals(): LedgerTotals {
  return Object.fromEntries(TOTAL_FIELDS.map((field) => [field, 0n])) as LedgerTotals;
}

/** `totals` plus `change`, field by field; missing fields count as zero. */
export function addTotals(totals: LedgerTotals, change: Partial<LedgerTotals>): LedgerTotals {
  const sum = { ...totals };
  for (const field of TOTAL_FIELDS) sum[field] += change[field] ?? 0n;
  return sum;
}

/** Reads totals back from a stored document: Int64 (Long), bigint or number; missing is zero. */
export function totalsFromDocument(doc: Partial<Record<TotalField, unknown>>): LedgerTotals {
  const totals = zeroTotals();
  for (const field of TOTAL_FIELDS) totals[field] = toBigInt(doc[field]);
  return totals;
}

export function toBigInt(value: unknown): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (Long.isLong(value)) return value.toBigInt();
  throw new TypeError(`not an integer amount: ${String(value)}`);
}
