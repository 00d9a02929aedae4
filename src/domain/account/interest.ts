import { RATE_SCALE, rateMicros } from './annual-rate.js';
import type { AccountEvent } from './events.js';
import { type AccountState, evolveAccount, initialAccountState } from './state.js';
import { DAY_MS } from './time.js';

/** An account event with the time it occurred (its metadata's occurredAt). */
export interface DatedAccountEvent {
  event: AccountEvent;
  occurredAt: Date;
}

/** A calendar month in UTC: [start, end). */
export interface InterestPeriod {
  start: Date;
  end: Date;
}

export interface InterestAccrual {
  /** The month's interest in minor units, rounded half-even once, on the total. */
  amount: number;
  /** Days of the period on which the account existed, was not closed, and had a rate. */
  days: number;
  /** The rate in force at the end of the period. */
  rate: string | undefined;
  /** Σ closing balance (minor units) × rate (millionths), before dividing by 365 × 10^6. */
  accrued: bigint;
}

/** Actual/365: every day earns 1/365 of the annual rate, in leap years too. */
export const DAYS_PER_YEAR = 365;

/** The UTC calendar month that contains `instant`. */
export function monthOf(instant: Date): InterestPeriod {
  const year = instant.getUTCFullYear();
  const month = instant.getUTCMonth();
  return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}

/** The calendar month that ended last before `now`: the one interest is posted for. */
export function monthJustEnded(now: Date): InterestPeriod {
  return monthOf(new Date(monthOf(now).start.getTime() - 1));
}

/**
 * The interest an account earned in a period, from its events alone (pure):
 *
 *   interest = round_half_even( Σ_days closingBalance(d) × rate(d) / 365 )
 *
 * over each UTC day d of the period, where closingBalance(d) is the balance after every event
 * that occurred before the day ended, and rate(d) the annual rate in force at that moment (so a
 * rate set during a day applies to that whole day). Days before the account opened, after it
 * closed, or without a rate earn nothing. Events are taken in stream order, each from the day
 * it occurred. The sum is exact (integers: minor units × millionths), and rounded once, to the
 * currency's minor unit, half to even.
 */
export function accrueInterest(
  history: readonly DatedAccountEvent[],
  period: InterestPeriod,
): InterestAccrual {
  let state: AccountState = initialAccountState;
  let next = 0;
  let accrued = 0n;
  let days = 0;
  for (let day = period.start.getTime(); day < period.end.getTime(); day += DAY_MS) {
    const dayEnd = day + DAY_MS;
    while (next < history.length && history[next]!.occurredAt.getTime() < dayEnd) {
      state = evolveAccount(state, history[next]!.event);
      next++;
    }
    if (!state.exists || state.status === 'CLOSED' || state.interestRate === undefined) continue;
    days++;
    accrued += BigInt(state.balance) * BigInt(rateMicros(state.interestRate));
  }
  const rate = state.exists ? state.interestRate : undefined;
  const amount = roundHalfEven(accrued, BigInt(DAYS_PER_YEAR) * BigInt(RATE_SCALE));
  return { amount: Number(amount), days, rate, accrued };
}

/** numerator / denominator (both ≥ 0) to the nearest integer, a tie going to the even one. */
export function roundHalfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = 2n * (numerator % denominator);
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder === denominator && quotient % 2n === 1n) return quotient + 1n;
  return quotient;
}
