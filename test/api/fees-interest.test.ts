import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { rootLogger } from '../../src/logger.js';
import { createInterestPosting } from '../../src/process/interest-posting.js';
import { openAccount } from '../support/ledger-client.js';
import { DEPOSIT } from '../support/operations.js';
import { endOfAll } from '../support/settlement.js';
import { graphql, type Json, startTestTally } from '../support/test-tally.js';
import {
  ACCOUNT_WITH_HOLDS,
  CAPTURE_HOLD,
  CHARGE_FEE,
  movableClock,
  PLACE_HOLD,
  REVERSE_TRANSACTION,
  SET_INTEREST_RATE,
} from './banking-operations.js';

// Omani rials: three minor digits, and no other test moves them, so the integrity totals are
// ours. Dates in 2031: later than any real clock that runs these processes in other tests.
const OMR = 'OMR';
const time = movableClock('2031-01-16T10:00:00.000Z');
const accounts: string[] = [];
let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally({ clock: time.clock, runTimedProcesses: false });
});
afterAll(async () => {
  await tally?.close();
});

async function mutate(document: string, input: Record<string, unknown>, as: Json = 'admin') {
  const result = await graphql(tally, document, { input }, { as });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return Object.values(result.data ?? {})[0] as Json;
}

async function readAccount(id: string) {
  const consistentWith = String(await endOfAll(tally));
  const result = await graphql(tally, ACCOUNT_WITH_HOLDS, { id, consistentWith });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data?.account;
}

/** The interest process, confined to this file's accounts: the event store is shared. */
const posting = () =>
  createInterestPosting(
    tally.eventStore,
    tally.services.ledger,
    tally.models,
    rootLogger,
    time.clock,
    {
      scope: { _id: { $in: accounts } },
    },
  );

async function interestPaid(accountId: string) {
  let count = 0;
  for await (const resolved of tally.eventStore.readStream(`account-${accountId}`)) {
    if (resolved.event?.type === 'InterestPaid') count++;
  }
  return count;
}

describe('fees and interest through the API', () => {
  let saver: string;
  let spender: string;

  it('charges fees (tellers) and sets rates (admins), refusing everyone else', async () => {
    saver = (await openAccount(tally, { currency: OMR, initialDeposit: '1000' })).accountId;
    spender = (await openAccount(tally, { currency: OMR, initialDeposit: '50' })).accountId;
    const empty = (await openAccount(tally, { currency: OMR })).accountId;
    accounts.push(saver, spender, empty);
    for (const id of [saver, empty]) {
      const set = await mutate(SET_INTEREST_RATE, {
        accountId: id,
        annualRate: '0.03650',
        reason: 'savings tariff',
      });
      expect(set.__typename).toBe('AccountCommandSuccess');
    }
    expect((await readAccount(saver)).interestRate).toBe('0.0365');

    time.set('2031-01-20T09:00:00.000Z');
    const fee = await mutate(
      CHARGE_FEE,
      { accountId: saver, amount: '0.5', reason: 'card replacement' },
      'teller',
    );
    expect(fee).toMatchObject({
      __typename: 'AccountCommandSuccess',
      account: { balance: { amount: '999.500', currency: OMR } },
    });
    expect((await readAccount(saver)).transactions.edges[0].node).toMatchObject({
      kind: 'FEE',
      amount: { amount: '0.500' },
      description: 'card replacement',
    });
    const overdrawn = await mutate(
      CHARGE_FEE,
      { accountId: spender, amount: '50.001', reason: 'x' },
      'teller',
    );
    expect(overdrawn.__typename).toBe('InsufficientFundsError');
    expect(
      await mutate(CHARGE_FEE, { accountId: saver, amount: '1', reason: 'x' }, 'customer'),
    ).toMatchObject({ __typename: 'ForbiddenError', requiredRole: 'TELLER' });
    expect(
      await mutate(
        SET_INTEREST_RATE,
        { accountId: saver, annualRate: '0.5', reason: 'x' },
        'teller',
      ),
    ).toMatchObject({ __typename: 'ForbiddenError', requiredRole: 'ADMIN' });
    expect(
      await mutate(SET_INTEREST_RATE, { accountId: saver, annualRate: '1.5', reason: 'x' }),
    ).toMatchObject({ __typename: 'ValidationError', field: 'annualRate' });
  });

  it('pays January once it has ended: daily closing balances, rounded once, exactly once', async () => {
    // Days 16..19 on 1000.000 at 3.65%/365 = 4 × 0.100 = 0.400; days 20..31 on 999.500 =
    // 12 × 0.09995 = 1.1994; 1.5994 rounds to 1.599. The empty account earns nothing.
    time.set('2031-01-31T23:59:59.000Z');
    expect(await posting().runOnce()).toBe(0); // January has not ended
    time.set('2031-02-01T00:00:05.000Z');
    const running = posting();
    expect(await running.runOnce()).toBe(1);
    expect(await running.runOnce()).toBe(0);
    expect(await posting().runOnce()).toBe(0); // a restart
    const saved = await readAccount(saver);
    expect(saved.balance.amount).toBe('1001.099');
    expect(saved.transactions.edges[0].node).toMatchObject({
      kind: 'INTEREST',
      amount: { amount: '1.599' },
      occurredAt: '2031-02-01T00:00:05.000Z',
      description: 'interest from 2031-01-01 to 2031-02-01',
      actor: 'system:interest-posting',
    });
    expect((await readAccount(accounts[2]!)).transactions.edges).toEqual([]);
  });

  it('pays February once, whatever several instances racing each other do', async () => {
    // 1001.099 × 0.0365 / 365 = 0.1001099 a day; × 28 days = 2.8030772, rounds to 2.803.
    time.set('2031-03-01T00:00:01.000Z');
    const posted = await Promise.all([
      posting().runOnce(),
      posting().runOnce(),
      posting().runOnce(),
    ]);
    expect(posted.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await interestPaid(saver)).toBe(2);
    expect((await readAccount(saver)).balance.amount).toBe('1003.902');
  });

  it('keeps the ledger conserved: fees, interest, captures and reversals in ledgerIntegrity', async () => {
    time.set('2031-03-02T10:00:00.000Z');
    const hold = await mutate(
      PLACE_HOLD,
      { accountId: spender, amount: '10', reason: 'x' },
      'teller',
    );
    await mutate(CAPTURE_HOLD, { holdId: hold.hold.id, amount: '4' }, 'teller');
    await mutate(CHARGE_FEE, { accountId: spender, amount: '1', reason: 'overdraft' }, 'teller');
    await mutate(DEPOSIT, { accountId: spender, amount: '2' }, 'teller');
    const [deposit, fee] = (await readAccount(spender)).transactions.edges.map((e: Json) => e.node);
    for (const tx of [deposit, fee]) {
      const reversed = await mutate(REVERSE_TRANSACTION, { transactionId: tx.id, reason: 'error' });
      expect(reversed.__typename).toBe('ReversalSuccess');
    }
    const consistentWith = String(await endOfAll(tally));
    const result = await graphql(
      tally,
      `query ($consistentWith: Position) {
        ledgerIntegrity(currency: "OMR", consistentWith: $consistentWith) {
          consistent balances deposited withdrawn fees interest captured reversedIn reversedOut
        }
      }`,
      { consistentWith },
      { as: 'auditor' },
    );
    expect(result.data?.ledgerIntegrity).toEqual({
      consistent: true,
      balances: '1049.902', // 1003.902 + 46.000 + 0
      deposited: '1052.000',
      withdrawn: '0.000',
      fees: '1.500',
      interest: '4.402',
      captured: '4.000',
      reversedIn: '1.000',
      reversedOut: '2.000',
    });
  });
});
