import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import {
  type CurrencyCode,
  decimalFormatProblem,
  formatMinor,
  MAX_MINOR_UNITS,
  parseCurrency,
  parseMoney,
} from '../../src/domain/money.js';

const USD = 'USD' as CurrencyCode;
const JPY = 'JPY' as CurrencyCode;
const KWD = 'KWD' as CurrencyCode;

describe('money', () => {
  it('reads decimal strings into integer minor units of the currency', () => {
    expect(parseMoney('100.50', USD, 'amount')).toEqual({ minor: 10050, currency: 'USD' });
    expect(parseMoney('0.5', USD, 'amount').minor).toBe(50);
    expect(parseMoney('500', JPY, 'amount').minor).toBe(500);
    expect(parseMoney('1.234', KWD, 'amount').minor).toBe(1234);
  });

  it('prints exactly the minor digits of the currency', () => {
    expect(formatMinor(10050, USD)).toBe('100.50');
    expect(formatMinor(5, USD)).toBe('0.05');
    expect(formatMinor(0, USD)).toBe('0.00');
    expect(formatMinor(500, JPY)).toBe('500');
    expect(formatMinor(1, KWD)).toBe('0.001');
  });

  it('refuses more digits than the currency has, naming the field', () => {
    expect(() => parseMoney('1.005', USD, 'amount')).toThrow(/at most 2 decimal places/);
    expect(() => parseMoney('1.5', JPY, 'initialDeposit')).toThrow(
      /^initialDeposit: JPY has no minor unit/,
    );
  });

  it('refuses negatives, zero, exponents, signs, blanks and absurd sizes', () => {
    for (const bad of ['-1', '+1', '0', '0.00', '1e5', '', ' 1', '1.', '.5', 'NaN', '01', '1,5']) {
      expect(decimalFormatProblem(bad), bad).toBeDefined();
    }
    expect(decimalFormatProblem('1234567890123456')).toBe('is too large');
    expect(() => parseMoney('10000000000000.01', USD, 'amount')).toThrow(ValidationError);
    expect(parseMoney('10000000000000', USD, 'amount').minor).toBe(MAX_MINOR_UNITS);
  });

  it('accepts only ISO 4217 currencies with a minor unit', () => {
    expect(parseCurrency('EUR', 'currency')).toBe('EUR');
    for (const bad of ['usd', 'XXX', 'XAU', 'BTC', 'US']) {
      expect(() => parseCurrency(bad, 'currency'), bad).toThrow(/^currency: /);
    }
  });
});
