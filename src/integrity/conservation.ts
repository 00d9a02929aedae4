import type { CurrencyCode } from '../domain/money.js';
import { formatExactMinor } from './format.js';
import { type LedgerTotals, TOTAL_FIELDS } from './totals.js';

/**
 * What the balances of a currency must add up to (DESIGN §2a):
 * balances + inFlight = deposited − withdrawn − fees + interest − captured + reversedIn − reversedOut.
 * Linear, so it also gives how much one event must change the balances.
 */
export function expectedBalances(totals: Partial<LedgerTotals>): bigint {
  const t = (field: keyof LedgerTotals) => totals[field] ?? 0n;
  return (
    t('deposited') -
    t('withdrawn') -
    t('fees') +
    t('interest') -
    t('captured') +
    t('reversedIn') -
    t('reversedOut') -
    t('inFlight')
  );
}

/**
 * Why the totals and the balances disagree, if they do: the conservation equation, and no total
 * below zero (money cannot be withdrawn, or be in flight, less than not at all).
 */
export function integrityProblems(
  currency: CurrencyCode,
  balances: bigint,
  totals: LedgerTotals,
): string[] {
  const problems: string[] = [];
  const expected = expectedBalances(totals);
  if (balances !== expected) {
    const f = (minor: bigint) => formatExactMinor(minor, currency);
    problems.push(
      `balances ${f(balances)} + in flight ${f(totals.inFlight)} = ${f(balances + totals.inFlight)}, ` +
        `but deposited − withdrawn − fees + interest − captured + reversedIn − reversedOut = ` +
        `${f(expected + totals.inFlight)}`,
    );
  }
  for (const field of TOTAL_FIELDS) {
    if (totals[field] < 0n) {
      problems.push(`${field} is negative: ${formatExactMinor(totals[field], currency)}`);
    }
  }
  return problems;
}
