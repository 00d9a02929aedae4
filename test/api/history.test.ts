import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { openAccount } from '../support/ledger-client.js';
import { DEPOSIT, WITHDRAW } from '../support/operations.js';
import { graphql, startTestTally } from '../support/test-tally.js';

// The clock at the API's edge, set by each step of the story below.
let now = new Date('2026-01-06T14:00:00.000Z');
let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally({ clock: () => now });
});
afterAll(async () => {
  await tally?.close();
});

describe("the ledger's history", () => {
  it('answers what a balance was at 3 pm on Tuesday, and who changed it', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '100.00' });
    now = new Date('2026-01-06T15:30:00.000Z');
    const alice = { as: { role: 'teller', sub: 'alice' } } as const;
    await graphql(tally, DEPOSIT, { input: { accountId, amount: '50' } }, alice);
    now = new Date('2026-01-06T16:00:00.000Z');
    const last = await graphql(
      tally,
      WITHDRAW,
      { input: { accountId, amount: '30' } },
      { as: { role: 'teller', sub: 'bob' } },
    );

    const result = await graphql(
      tally,
      `query ($id: ID!, $at: Position) {
        account(id: $id, consistentWith: $at) {
          before: balanceAt(at: "2026-01-06T13:00:00Z") { amount }
          threePm: balanceAt(at: "2026-01-06T15:00:00Z") { amount currency }
          halfPastThree: balanceAt(at: "2026-01-06T15:30:00Z") { amount }
          evening: balanceAt(at: "2026-01-06T20:00:00Z") { amount }
          transactions(first: 3) { edges { node { kind amount { amount } occurredAt actor } } }
        }
      }`,
      { id: accountId, at: last.data?.withdrawMoney.position },
    );
    const account = result.data?.account;
    expect(account.before).toBeNull();
    expect(account.threePm).toEqual({ amount: '100.00', currency: 'USD' });
    expect(account.halfPastThree).toEqual({ amount: '150.00' });
    expect(account.evening).toEqual({ amount: '120.00' });
    expect(account.transactions.edges.map((e: { node: unknown }) => e.node)).toEqual([
      {
        kind: 'WITHDRAWAL',
        amount: { amount: '30.00' },
        occurredAt: '2026-01-06T16:00:00.000Z',
        actor: 'bob',
      },
      {
        kind: 'DEPOSIT',
        amount: { amount: '50.00' },
        occurredAt: '2026-01-06T15:30:00.000Z',
        actor: 'alice',
      },
      {
        kind: 'DEPOSIT',
        amount: { amount: '100.00' },
        occurredAt: '2026-01-06T14:00:00.000Z',
        actor: 'test-admin',
      },
    ]);
  });
});
