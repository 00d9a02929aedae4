import type fc from 'fast-check';
import { expect } from 'vitest';
import { rootLogger } from '../../src/logger.js';
import { createHoldExpiry } from '../../src/process/hold-expiry.js';
import { createInterestPosting } from '../../src/process/interest-posting.js';
import {
  CAPTURE_HOLD,
  CHARGE_FEE,
  HOLD,
  PLACE_HOLD,
  RELEASE_HOLD,
  REVERSE_TRANSACTION,
  SET_INTEREST_RATE,
} from '../api/banking-operations.js';
import { endOfAll, waitForSettlement } from '../support/settlement.js';
import { graphql, type Json } from '../support/test-tally.js';
import type { RealLedger } from './ledger-commands.js';
import {
  add,
  available,
  decimal,
  type LedgerModel,
  type ModelAccount,
  type ModelInterest,
  pick,
} from './ledger-model.js';

/**
 * Holds, fees, rates, reversals and the passing of time in the model-based test. Time moves
 * only with AdvanceTime, which then runs the hold expiry and interest passes as Tally would;
 * the model predicts what each must do with its own simple arithmetic.
 */
type Command = fc.AsyncCommand<LedgerModel, RealLedger>;

const DAY = 86_400_000;

async function mutate(real: RealLedger, document: string, input: Record<string, unknown>) {
  const result = await graphql(real.tally, document, { input });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return Object.values(result.data ?? {})[0] as Json;
}

function expectBalance(payload: Json, model: LedgerModel, account: ModelAccount) {
  expect(payload.account.balance.amount, JSON.stringify(payload)).toBe(
    decimal(account.balance, account.currency),
  );
  expect(payload.account.availableBalance.amount).toBe(
    decimal(available(model, account), account.currency),
  );
}

function interestOf(model: LedgerModel, accountId: string): ModelInterest {
  let interest = model.interest.get(accountId);
  if (!interest) {
    interest = { timeline: [] };
    model.interest.set(accountId, interest);
  }
  return interest;
}

export class PlaceHold implements Command {
  constructor(
    readonly account: number,
    readonly amount: number,
    /** Hours until it expires; undefined: the default 7 days. */
    readonly hours: number | undefined,
  ) {}
  check = (model: Readonly<LedgerModel>) => model.accounts.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const account = pick(model.accounts, this.account)!;
    const now = real.clock.now.getTime();
    const expiresAt = now + (this.hours === undefined ? 7 * DAY : this.hours * 3_600_000);
    const payload = await mutate(real, PLACE_HOLD, {
      accountId: account.id,
      amount: decimal(this.amount, account.currency),
      reason: 'model',
      ...(this.hours === undefined ? {} : { expiresAt: new Date(expiresAt).toISOString() }),
    });
    if (account.status !== 'OPEN') {
      expect(payload.__typename).toBe('AccountNotOpenError');
    } else if (this.amount > available(model, account)) {
      expect(payload.__typename).toBe('InsufficientFundsError');
    } else {
      expect(payload.__typename, JSON.stringify(payload)).toBe('HoldSuccess');
      model.holds.push({
        id: payload.hold.id,
        accountId: account.id,
        amount: this.amount,
        expiresAt,
        status: 'ACTIVE',
      });
      expectBalance(payload, model, account);
    }
  }
  toString = () => `placeHold(#${this.account}, ${this.amount}, ${this.hours ?? 'default'}h)`;
}

export type CaptureMode = 'all' | 'part' | 'over';

export class CaptureHold implements Command {
  constructor(
    readonly hold: number,
    readonly mode: CaptureMode,
  ) {}
  check = (model: Readonly<LedgerModel>) => model.holds.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const hold = pick(model.holds, this.hold)!;
    const account = model.accounts.find((a) => a.id === hold.accountId)!;
    const amount =
      this.mode === 'all'
        ? hold.amount
        : this.mode === 'over'
          ? hold.amount + 1
          : Math.ceil(hold.amount / 2);
    const payload = await mutate(real, CAPTURE_HOLD, {
      holdId: hold.id,
      ...(this.mode === 'all' ? {} : { amount: decimal(amount, account.currency) }),
    });
    if (hold.status !== 'ACTIVE') {
      expect(payload).toMatchObject({ __typename: 'HoldNotActiveError', holdStatus: hold.status });
    } else if (account.status !== 'OPEN') {
      expect(payload.__typename).toBe('AccountNotOpenError');
    } else if (this.mode === 'over') {
      expect(payload).toMatchObject({ __typename: 'ValidationError', field: 'amount' });
    } else {
      expect(payload.__typename, JSON.stringify(payload)).toBe('HoldSuccess');
      hold.status = 'CAPTURED';
      account.balance -= amount;
      add(model.captured, account.currency, amount);
      model.reversible.push({
        id: `${account.id}:${payload.account.revision}`,
        accountId: account.id,
        kind: 'HOLD_CAPTURE',
        amount,
        at: real.clock.now.getTime(),
        reversed: false,
      });
      expectBalance(payload, model, account);
    }
  }
  toString = () => `captureHold(#${this.hold}, ${this.mode})`;
}

export class ReleaseHold implements Command {
  constructor(readonly hold: number) {}
  check = (model: Readonly<LedgerModel>) => model.holds.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const hold = pick(model.holds, this.hold)!;
    const account = model.accounts.find((a) => a.id === hold.accountId)!;
    const payload = await mutate(real, RELEASE_HOLD, { holdId: hold.id, reason: 'model' });
    if (hold.status !== 'ACTIVE') {
      expect(payload).toMatchObject({ __typename: 'HoldNotActiveError', holdStatus: hold.status });
      return;
    }
    expect(payload.__typename, JSON.stringify(payload)).toBe('HoldSuccess');
    hold.status = 'RELEASED';
    expectBalance(payload, model, account);
  }
  toString = () => `releaseHold(#${this.hold})`;
}

export class ChargeFee implements Command {
  constructor(
    readonly account: number,
    readonly amount: number,
  ) {}
  check = (model: Readonly<LedgerModel>) => model.accounts.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const account = pick(model.accounts, this.account)!;
    const payload = await mutate(real, CHARGE_FEE, {
      accountId: account.id,
      amount: decimal(this.amount, account.currency),
      reason: 'model fee',
    });
    if (account.status !== 'OPEN') {
      expect(payload.__typename).toBe('AccountNotOpenError');
    } else if (this.amount > available(model, account)) {
      expect(payload.__typename).toBe('InsufficientFundsError');
    } else {
      expect(payload.__typename, JSON.stringify(payload)).toBe('AccountCommandSuccess');
      account.balance -= this.amount;
      add(model.fees, account.currency, this.amount);
      model.reversible.push({
        id: `${account.id}:${payload.account.revision}`,
        accountId: account.id,
        kind: 'FEE',
        amount: this.amount,
        at: real.clock.now.getTime(),
        reversed: false,
      });
      expectBalance(payload, model, account);
    }
  }
  toString = () => `chargeFee(#${this.account}, ${this.amount})`;
}

/** Rates high enough that the model's small balances earn something in a month. */
export const MODEL_RATES = ['0.05', '0.1', '0.2', '0.365'] as const;

export class SetRate implements Command {
  constructor(
    readonly account: number,
    readonly rate: (typeof MODEL_RATES)[number],
  ) {}
  check = (model: Readonly<LedgerModel>) => model.accounts.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const account = pick(model.accounts, this.account)!;
    const payload = await mutate(real, SET_INTEREST_RATE, {
      accountId: account.id,
      annualRate: this.rate,
      reason: 'model',
    });
    if (account.status === 'CLOSED') {
      expect(payload.__typename).toBe('AccountNotOpenError');
      return;
    }
    expect(payload.__typename, JSON.stringify(payload)).toBe('AccountCommandSuccess');
    const interest = interestOf(model, account.id);
    interest.rateMicros = Math.round(Number(this.rate) * 1_000_000);
    interest.firstRateAt ??= real.clock.now.getTime();
  }
  toString = () => `setRate(#${this.account}, ${this.rate})`;
}

export class Reverse implements Command {
  constructor(readonly transaction: number) {}
  check = (model: Readonly<LedgerModel>) => model.reversible.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const tx = pick(model.reversible, this.transaction)!;
    const account = model.accounts.find((a) => a.id === tx.accountId)!;
    const payload = await mutate(real, REVERSE_TRANSACTION, {
      transactionId: tx.id,
      reason: 'model',
    });
    const days = Math.floor(real.clock.now.getTime() / DAY) - Math.floor(tx.at / DAY);
    const out = tx.kind === 'DEPOSIT';
    if (tx.reversed) {
      expect(payload.__typename).toBe('AlreadyReversedError');
    } else if (days > 30) {
      expect(payload).toMatchObject({ __typename: 'ReversalWindowClosedError', windowDays: 30 });
    } else if (account.status === 'CLOSED' || (out && account.status !== 'OPEN')) {
      expect(payload.__typename).toBe('AccountNotOpenError');
    } else if (out && tx.amount > available(model, account)) {
      expect(payload.__typename).toBe('InsufficientFundsError');
    } else {
      expect(payload.__typename, JSON.stringify(payload)).toBe('ReversalSuccess');
      tx.reversed = true;
      account.balance += out ? -tx.amount : tx.amount;
      add(out ? model.reversedOut : model.reversedIn, account.currency, tx.amount);
      expectBalance(payload, model, account);
    }
  }
  toString = () => `reverse(#${this.transaction})`;
}

/**
 * The clock moves forward; then, as Tally's timed processes would, hold expiry and interest
 * posting each run a pass (confined to this run's accounts: the event store is shared), and
 * each must do exactly what the model predicts, no more.
 */
export class AdvanceTime implements Command {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: LedgerModel, real: RealLedger) {
    const before = real.clock.now.getTime();
    for (const account of model.accounts) {
      const interest = interestOf(model, account.id);
      interest.timeline.push({
        at: before,
        balance: account.balance,
        status: account.status,
        rateMicros: interest.rateMicros,
      });
    }
    real.clock.advance(this.ms);
    const now = real.clock.now.getTime();
    const ids = model.accounts.map((a) => a.id);
    // The passes read the read models: let them catch up with everything written so far.
    await waitForSettlement(real.tally, real.lastSent);

    const due = model.holds.filter((h) => h.status === 'ACTIVE' && h.expiresAt <= now);
    const expiry = createHoldExpiry(
      real.tally.services.ledger,
      real.tally.models,
      rootLogger,
      real.clock.clock,
      {
        scope: { accountId: { $in: ids } },
      },
    );
    expect(await expiry.runOnce(), 'holds expired').toBe(due.length);
    for (const hold of due) hold.status = 'EXPIRED';

    let expected = 0;
    for (const account of model.accounts) {
      if (account.status === 'CLOSED') continue;
      const interest = interestOf(model, account.id);
      for (const month of unpaidMonths(interest, now)) {
        const amount = accrue(interest, month);
        if (amount === 0) continue;
        account.balance += amount;
        add(model.paidInterest, account.currency, amount);
        interest.paidMonth = month;
        expected++;
      }
    }
    const posting = createInterestPosting(
      real.tally.eventStore,
      real.tally.services.ledger,
      real.tally.models,
      rootLogger,
      real.clock.clock,
      { scope: { _id: { $in: ids } } },
    );
    expect(await posting.runOnce(), 'interest postings').toBe(expected);
  }
  toString = () => `advanceTime(${(this.ms / 3_600_000).toFixed(1)}h)`;
}

/** Starts of the months after the last paid (or from the first rate's) that ended by `now`. */
function unpaidMonths(interest: ModelInterest, now: number): number[] {
  const from =
    interest.paidMonth === undefined ? interest.firstRateAt : nextMonth(interest.paidMonth);
  if (from === undefined) return [];
  const months: number[] = [];
  for (let month = monthStart(from); nextMonth(month) <= now; month = nextMonth(month)) {
    months.push(month);
  }
  return months;
}

/** Σ over the month's days of the last snapshot before each day ended × rate / 365, half-even. */
function accrue(interest: ModelInterest, month: number): number {
  let accrued = 0n;
  for (let day = month; day < nextMonth(month); day += DAY) {
    const closing = interest.timeline.filter((s) => s.at < day + DAY).at(-1);
    if (!closing || closing.status === 'CLOSED' || closing.rateMicros === undefined) continue;
    accrued += BigInt(closing.balance) * BigInt(closing.rateMicros);
  }
  const divisor = 365n * 1_000_000n;
  const whole = accrued / divisor;
  const twice = 2n * (accrued % divisor);
  const up = twice > divisor || (twice === divisor && whole % 2n === 1n);
  return Number(up ? whole + 1n : whole);
}

function monthStart(at: number): number {
  const date = new Date(at);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function nextMonth(start: number): number {
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** Each hold's status and each account's available balance, as the read models show them. */
export async function checkBankingInvariants(model: LedgerModel, real: RealLedger): Promise<void> {
  const consistentWith = String(await endOfAll(real.tally));
  for (const hold of model.holds) {
    const read = await graphql(real.tally, HOLD, { id: hold.id, consistentWith });
    expect(read.data?.hold.status, `hold ${hold.id}`).toBe(hold.status);
  }
  for (const account of model.accounts) {
    const read = await graphql(
      real.tally,
      `query ($id: ID!, $consistentWith: Position) {
        account(id: $id, consistentWith: $consistentWith) { availableBalance { amount } }
      }`,
      { id: account.id, consistentWith },
    );
    expect(read.data?.account.availableBalance.amount, `available in ${account.id}`).toBe(
      decimal(available(model, account), account.currency),
    );
  }
}
