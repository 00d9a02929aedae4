import { ValidationError } from '../errors.js';

/** Annual rates have at most 6 decimal digits, so a rate is an exact integer of millionths. */
export const RATE_SCALE = 1_000_000;

/**
 * Parses an annual rate: a fraction from 0 to 1 with at most 6 decimal digits ("0.035" is 3.5%
 * a year). Returns it in millionths and in canonical form (no trailing zeros).
 */
export function parseAnnualRate(
  text: string,
  field: string,
): { micros: number; canonical: string } {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new ValidationError(field, 'must be a decimal fraction such as "0.035"');
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > 6) throw new ValidationError(field, 'allows at most 6 decimal digits');
  const micros = Number(whole) * RATE_SCALE + Number(fraction.padEnd(6, '0'));
  if (!Number.isSafeInteger(micros) || micros > RATE_SCALE) {
    throw new ValidationError(field, 'must be a fraction between 0 and 1 ("0.035" is 3.5% a year)');
  }
  return { micros, canonical: formatRate(micros) };
}

/** Millionths of a canonical rate that parseAnnualRate produced. */
export function rateMicros(canonical: string): number {
  return parseAnnualRate(canonical, 'annualRate').micros;
}

export function formatRate(micros: number): string {
  const whole = Math.floor(micros / RATE_SCALE);
  const fraction = String(micros % RATE_SCALE)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}
