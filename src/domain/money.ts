import { type CurrencyCode, isCurrencyCode, minorDigits } from './currencies.js';
import { ValidationError } from './errors.js';

export type { CurrencyCode } from './currencies.js';

/** An amount in integer minor units (cents for USD) of one ISO 4217 currency. Never a float. */
export interface Money {
  readonly minor: number;
  readonly currency: CurrencyCode;
}

/**
 * The largest amount or balance, in minor units. It keeps every sum of two values below
 * Number.MAX_SAFE_INTEGER, so integer arithmetic on JS numbers stays exact.
 */
export const MAX_MINOR_UNITS = 10 ** 15;

/** A positive decimal string with no sign or exponent: "100", "100.5", "0.05". */
const DECIMAL = /^(0|[1-9]\d{0,17})(?:\.(\d{1,18}))?$/;

/** Checks the currency-independent form of a Decimal input. Returns the rule it breaks, if any. */
export function decimalFormatProblem(text: string): string | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return 'must be a positive decimal string such as "100.50"';
  const [, whole = '', fraction = ''] = match;
  if (/^0*$/.test(whole + fraction)) return 'must be greater than zero';
  if (whole.length > 15) return 'is too large';
  return undefined;
}

/**
 * The canonical spelling of a well-formed Decimal: no trailing fractional zeros, so "7", "7.0"
 * and "7.00" are one amount. Two requests under one idempotency key compare amounts this way,
 * before the currency (and so the allowed digits) is known. Malformed input is returned as is.
 */
export function canonicalDecimal(text: string): string {
  if (decimalFormatProblem(text) !== undefined) return text;
  const [whole = '', fraction = ''] = text.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed ? `${whole}.${trimmed}` : whole;
}

export function parseCurrency(code: string, field: string): CurrencyCode {
  if (!isCurrencyCode(code)) {
    throw new ValidationError(field, `"${code}" is not an ISO 4217 currency code`);
  }
  return code;
}

/** Converts a Decimal string into minor units of the currency; `field` names the input in errors. */
export function parseMoney(text: string, currency: CurrencyCode, field: string): Money {
  const problem = decimalFormatProblem(text);
  if (problem) throw new ValidationError(field, problem);
  const [whole = '', fraction = ''] = text.split('.');
  const digits = minorDigits(currency);
  if (fraction.length > digits) {
    throw new ValidationError(
      field,
      digits === 0
        ? `${currency} has no minor unit, so the amount must be whole`
        : `${currency} allows at most ${digits} decimal places`,
    );
  }
  const minor = Number(whole + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor) || minor > MAX_MINOR_UNITS) {
    throw new ValidationError(field, `must not exceed ${formatMinor(MAX_MINOR_UNITS, currency)}`);
  }
  return { minor, currency };
}

/** Prints minor units with exactly the currency's minor digits: USD 10050 -> "100.50", JPY 5 -> "5". */
export function formatMinor(minor: number, currency: CurrencyCode): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const text = Math.abs(minor)
    .toString()
    .padStart(digits + 1, '0');
  if (digits === 0) return sign + text;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

export function formatMoney(money: Money): string {
  return formatMinor(money.minor, money.currency);
}

export function money(minor: number, currency: CurrencyCode): Money {
  return { minor, currency };
}
