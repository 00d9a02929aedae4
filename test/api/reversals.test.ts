import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { openAccount } from '../support/ledger-client.js';
import { DEPOSIT, TRANSFER, WITHDRAW } from '../support/operations.js';
import { endOfAll } from '../support/settlement.js';
import { graphql, type Json, startTestTally } from '../support/test-tally.js';
import {
  ACCOUNT_WITH_HOLDS,
  CAPTURE_HOLD,
  movableClock,
  PLACE_HOLD,
  REVERSE_TRANSACTION,
} from './banking-operations.js';

const DAY = 86_400_000;
const time = movableClock('2031-01-01T15:00:00.000Z');
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

/** The account's transactions, newest first, once the read models have everything so far. */
async function transactions(accountId: string) {
  const consistentWith = String(await endOfAll(tally));
  const result = await graphql(tally, ACCOUNT_WITH_HOLDS, { id: accountId, consistentWith });
  return result.data?.account.transactions.edges.map((e: Json) => e.node);
}

const reverse = (transactionId: string, as: Json = 'admin') =>
  mutate(REVERSE_TRANSACTION, { transactionId, reason: 'posted in error' }, as);

describe('reversals through the API', () => {
  it('reverses a deposit with a compensating transaction; the history reads both ways', async () => {
    time.set('2031-01-01T15:00:00.000Z');
    const { accountId } = await openAccount(tally, { initialDeposit: '10.00' });
    await mutate(DEPOSIT, { accountId, amount: '25.00' }, 'teller');
    const deposit = (await transactions(accountId))[0];
    expect(deposit).toMatchObject({ kind: 'DEPOSIT', reversedBy: null });

    time.advance(2 * DAY);
    const reversed = await reverse(deposit.id);
    expect(reversed).toMatchObject({
      __typename: 'ReversalSuccess',
      reversal: {
        kind: 'REVERSAL',
        amount: { amount: '25.00' },
        balanceAfter: { amount: '10.00' },
        description: 'posted in error',
        actor: 'test-admin',
        occurredAt: '2031-01-03T15:00:00.000Z',
        reverses: { id: deposit.id, kind: 'DEPOSIT' },
      },
      account: { balance: { amount: '10.00' } },
    });
    const [reversal, original] = await transactions(accountId);
    expect(reversal).toMatchObject({ id: reversed.reversal.id, reverses: { id: deposit.id } });
    // The original is unchanged, and points at what undid it.
    expect(original).toMatchObject({
      id: deposit.id,
      kind: 'DEPOSIT',
      amount: { amount: '25.00' },
      balanceAfter: { amount: '35.00' },
      reversedBy: { id: reversed.reversal.id, kind: 'REVERSAL' },
    });

    expect(await reverse(deposit.id)).toMatchObject({
      __typename: 'AlreadyReversedError',
      transactionId: deposit.id,
      reversalId: reversed.reversal.id,
    });
  });

  it('is open on day 30 after the original and closed on day 31', async () => {
    time.set('2031-01-01T15:00:00.000Z');
    const { accountId } = await openAccount(tally, { initialDeposit: '10.00' });
    await mutate(WITHDRAW, { accountId, amount: '1.00' }, 'teller');
    await mutate(WITHDRAW, { accountId, amount: '2.00' }, 'teller');
    const [second, first] = await transactions(accountId);

    time.set('2031-01-31T23:59:59.000Z');
    expect(await reverse(first.id)).toMatchObject({
      __typename: 'ReversalSuccess',
      account: { balance: { amount: '8.00' } },
    });
    time.set('2031-02-01T00:00:00.000Z');
    expect(await reverse(second.id)).toMatchObject({
      __typename: 'ReversalWindowClosedError',
      transactionId: second.id,
      originalOccurredAt: '2031-01-01T15:00:00.000Z',
      windowDays: 30,
    });
  });

  it('reverses a capture; refuses a transfer, an unknown id, a spent deposit and a customer', async () => {
    time.set('2031-01-05T09:00:00.000Z');
    const { accountId } = await openAccount(tally, { initialDeposit: '20.00' });
    const other = await openAccount(tally);
    const hold = await mutate(PLACE_HOLD, { accountId, amount: '5.00', reason: 'x' }, 'teller');
    await mutate(CAPTURE_HOLD, { holdId: hold.hold.id }, 'teller');
    const capture = (await transactions(accountId))[0];
    expect(capture).toMatchObject({ kind: 'HOLD_CAPTURE', holdId: hold.hold.id });
    expect(await reverse(capture.id)).toMatchObject({
      __typename: 'ReversalSuccess',
      reversal: { holdId: hold.hold.id, reverses: { kind: 'HOLD_CAPTURE' } },
      account: { balance: { amount: '20.00' } },
    });

    await mutate(TRANSFER, {
      fromAccountId: accountId,
      toAccountId: other.accountId,
      amount: '18',
    });
    const [sent] = await transactions(accountId);
    expect(sent.kind).toBe('TRANSFER_OUT');
    expect(await reverse(sent.id)).toMatchObject({
      __typename: 'ValidationError',
      field: 'transactionId',
      message: expect.stringMatching(/TRANSFER_OUT/),
    });
    // The opening deposit of 20.00 was mostly sent away.
    const opening = (await transactions(accountId)).at(-1);
    expect(await reverse(opening.id)).toMatchObject({
      __typename: 'InsufficientFundsError',
      available: { amount: '2.00' },
    });
    expect(await reverse(`${accountId}:99`)).toMatchObject({
      __typename: 'TransactionNotFoundError',
      transactionId: `${accountId}:99`,
    });
    expect(await reverse('not-a-transaction')).toMatchObject({
      __typename: 'ValidationError',
      field: 'transactionId',
    });
    for (const who of ['customer', 'teller', 'auditor']) {
      expect(await reverse(opening.id, who)).toMatchObject({
        __typename: 'ForbiddenError',
        requiredRole: 'ADMIN',
      });
    }
  });
});
