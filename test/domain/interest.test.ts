import { describe, expect, it } from 'vitest';
import type { AccountEvent } from '../../src/domain/account/index.js';
import {
  accrueInterest,
  type DatedAccountEvent,
  monthJustEnded,
  monthOf,
  roundHalfEven,
} from '../../src/domain/account/interest.js';
import type { CurrencyCode } from '../../src/domain/money.js';

/**
 * The interest formula on fixed histories, each worked out by hand in the comment above it:
 * interest = round_half_even( Σ over the month's UTC days of closingBalance × rate / 365 ).
 */
const accountId = '7d0c1c8e-1111-4c55-9a86-3b9fd7c1a001';
const ownerId = '7d0c1c8e-2222-4c55-9a86-3b9fd7c1a001';

function history(currency: string, ...steps: Array<[string, string, number?]>) {
  const events: DatedAccountEvent[] = [];
  let balance = 0;
  for (const [at, what, amount = 0] of steps) {
    const occurredAt = new Date(at);
    const money = { accountId, amount, currency: currency as CurrencyCode };
    let event: AccountEvent;
    if (what === 'open') {
      event = { type: 'AccountOpened', data: { accountId, ownerId, currency: money.currency } };
    } else if (what === 'deposit') {
      balance += amount;
      event = { type: 'MoneyDeposited', data: { ...money, balanceAfter: balance } };
    } else if (what === 'withdraw') {
      balance -= amount;
      event = { type: 'MoneyWithdrawn', data: { ...money, balanceAfter: balance } };
    } else if (what === 'close') {
      event = { type: 'AccountClosed', data: { accountId, reason: 'left' } };
    } else {
      event = { type: 'InterestRateChanged', data: { accountId, annualRate: what, reason: 'r' } };
    }
    events.push({ event, occurredAt });
  }
  return events;
}

const JANUARY = monthOf(new Date('2026-01-15T00:00:00Z'));

describe('interest: accrual on fixed histories', () => {
  it('a whole month: 1000.00 at 3.65% earns 0.10 a day, 3.10 in January', () => {
    // 100000 minor × 0.0365 / 365 = 10 minor a day; 31 days = 310.
    const events = history(
      'USD',
      ['2025-12-20T10:00:00Z', 'open'],
      ['2025-12-20T10:00:00Z', 'deposit', 100_000],
      ['2025-12-20T10:00:00Z', '0.0365'],
    );
    expect(accrueInterest(events, JANUARY)).toMatchObject({
      amount: 310,
      days: 31,
      rate: '0.0365',
    });
  });

  it('an account opened mid-month accrues from the day it opened (its first closing balance)', () => {
    // Opened on January 16 at 10:00: days 16..31 = 16 days × 10 = 160.
    const events = history(
      'USD',
      ['2026-01-16T10:00:00Z', 'open'],
      ['2026-01-16T10:00:00Z', 'deposit', 100_000],
      ['2026-01-16T10:00:00Z', '0.0365'],
    );
    expect(accrueInterest(events, JANUARY)).toMatchObject({ amount: 160, days: 16 });
  });

  it('a rate changed mid-month applies from the day it was set', () => {
    // Days 1..20 at 3.65% = 20 × 10 = 200; days 21..31 at 7.3% = 11 × 20 = 220; 420 in all.
    const events = history(
      'USD',
      ['2025-12-01T00:00:00Z', 'open'],
      ['2025-12-01T00:00:00Z', 'deposit', 100_000],
      ['2025-12-01T00:00:00Z', '0.0365'],
      ['2026-01-21T15:00:00Z', '0.073'],
    );
    expect(accrueInterest(events, JANUARY)).toMatchObject({ amount: 420, days: 31, rate: '0.073' });
  });

  it('each day earns on its closing balance: a withdrawal at 23:59:59 counts that day', () => {
    // Days 1..9 on 1000.00 = 9 × 10 = 90; days 10..31 on 500.00 = 22 × 5 = 110; 200.
    const events = history(
      'USD',
      ['2025-12-01T00:00:00Z', 'open'],
      ['2025-12-01T00:00:00Z', 'deposit', 100_000],
      ['2025-12-01T00:00:00Z', '0.0365'],
      ['2026-01-10T23:59:59Z', 'withdraw', 50_000],
    );
    expect(accrueInterest(events, JANUARY).amount).toBe(200);
  });

  it('rounds once, half to even, on the monthly total', () => {
    // 50.00 at 3.65% earns 0.5 minor a day. Opened Jan 29: 3 days = 1.5 -> 2 (rounding each
    // day would give 0 or 3). Opened Jan 30: 1.0 -> 1. Opened Jan 31: 0.5 -> 0, posts nothing.
    const from = (day: string) =>
      history(
        'USD',
        [`2026-01-${day}T08:00:00Z`, 'open'],
        [`2026-01-${day}T08:00:00Z`, 'deposit', 5000],
        [`2026-01-${day}T08:00:00Z`, '0.0365'],
      );
    expect(accrueInterest(from('29'), JANUARY)).toMatchObject({ amount: 2, days: 3 });
    expect(accrueInterest(from('30'), JANUARY)).toMatchObject({ amount: 1, days: 2 });
    expect(accrueInterest(from('31'), JANUARY)).toMatchObject({ amount: 0, days: 1 });
    expect(roundHalfEven(5n, 2n)).toBe(2n); // 2.5 -> 2
    expect(roundHalfEven(7n, 2n)).toBe(4n); // 3.5 -> 4
    expect(roundHalfEven(11n, 4n)).toBe(3n); // 2.75 -> 3
  });

  it('actual/365 in a leap year too, and in a currency without minor units', () => {
    // JPY 100000 at 1%: 100000 × 0.01 × 28 / 365 = 76.71 -> 77 yen for February 2026.
    const yen = history(
      'JPY',
      ['2026-01-01T00:00:00Z', 'open'],
      ['2026-01-01T00:00:00Z', 'deposit', 100_000],
      ['2026-01-01T00:00:00Z', '0.01'],
    );
    expect(accrueInterest(yen, monthOf(new Date('2026-02-10T00:00:00Z')))).toMatchObject({
      amount: 77,
      days: 28,
    });
    // February 2028 has 29 days, each still 1/365 of the rate: 29 × 10 = 290.
    const leap = history(
      'USD',
      ['2028-01-01T00:00:00Z', 'open'],
      ['2028-01-01T00:00:00Z', 'deposit', 100_000],
      ['2028-01-01T00:00:00Z', '0.0365'],
    );
    expect(accrueInterest(leap, monthOf(new Date('2028-02-10T00:00:00Z')))).toMatchObject({
      amount: 290,
      days: 29,
    });
  });

  it('earns nothing without a rate, before opening, or after closing', () => {
    const noRate = history(
      'USD',
      ['2025-12-01T00:00:00Z', 'open'],
      ['2025-12-01T00:00:00Z', 'deposit', 100_000],
    );
    expect(accrueInterest(noRate, JANUARY)).toMatchObject({ amount: 0, days: 0 });
    // Days 1..4 on 1000.00 = 40; emptied and closed on the 5th: nothing after.
    const closed = history(
      'USD',
      ['2025-12-01T00:00:00Z', 'open'],
      ['2025-12-01T00:00:00Z', 'deposit', 100_000],
      ['2025-12-01T00:00:00Z', '0.0365'],
      ['2026-01-05T09:00:00Z', 'withdraw', 100_000],
      ['2026-01-05T09:00:00Z', 'close'],
    );
    expect(accrueInterest(closed, JANUARY)).toMatchObject({ amount: 40, days: 4 });
  });

  it('the month just ended is the calendar month before the clock, in UTC', () => {
    expect(monthJustEnded(new Date('2026-03-01T00:00:00Z'))).toEqual({
      start: new Date('2026-02-01T00:00:00Z'),
      end: new Date('2026-03-01T00:00:00Z'),
    });
    expect(monthJustEnded(new Date('2026-01-15T12:00:00Z')).start).toEqual(
      new Date('2025-12-01T00:00:00Z'),
    );
  });
});
