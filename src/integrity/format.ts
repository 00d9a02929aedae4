import { minorDigits } from '../domain/currencies.js';
import type { CurrencyCode } from '../domain/money.js';

/**
 * Prints bigint minor units with exactly the currency's minor digits, as formatMinor does for
 * numbers: totals may pass 2^53, where a number would round.
 */
export function formatExactMinor(minor: bigint, currency: CurrencyCode): string {
  const digits = minorDigits(currency);
  const sign = minor < 0n ? '-' : '';
  const text = (minor < 0n ? -minor : minor).toString().padStart(digits + 1, '0');
  if (digits === 0) return sign + text;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
