import { randomUUID } from 'node:crypto';
import { StreamNotFoundError } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { ACCOUNT, CLOSE, DEPOSIT, FREEZE, UNFREEZE, WITHDRAW } from '../support/operations.js';
import { graphql, type Json, startTestTally } from '../support/test-tally.js';

let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally({ consistencyTimeoutMs: 3000 });
});
afterAll(async () => {
  await tally?.close();
});

/** The events in an account's stream, straight from the event store. */
async function streamEvents(accountId: string) {
  const events = [];
  try {
    for await (const resolved of tally.eventStore.readStream(`account-${accountId}`)) {
      events.push(resolved.event!);
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return events;
}

describe('accounts through GraphQL', () => {
  it('opens, deposits and withdraws, and the read model shows the result when asked consistentWith', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '100' });
    await deposit(tally, accountId, '0.5');
    const withdrawal = await graphql(tally, WITHDRAW, {
      input: { accountId, amount: '20.25', description: 'groceries' },
    });
    const success = withdrawal.data?.withdrawMoney;
    expect(success.__typename).toBe('AccountCommandSuccess');
    expect(success.account).toMatchObject({
      balance: { amount: '80.25', currency: 'USD' },
      revision: 3,
    });

    const read = await graphql(tally, ACCOUNT, { id: accountId, consistentWith: success.position });
    expect(read.data?.account).toMatchObject({
      id: accountId,
      balance: { amount: '80.25', currency: 'USD' },
      status: 'OPEN',
      revision: 3,
    });

    const history = await graphql(
      tally,
      `query ($id: ID!) { account(id: $id) { transactions(first: 2) {
         edges { cursor node { kind amount { amount } balanceAfter { amount } revision description } }
         pageInfo { hasNextPage endCursor } } } }`,
      { id: accountId },
    );
    const page = history.data?.account.transactions;
    expect(page.edges.map((e: Json) => e.node)).toEqual([
      {
        kind: 'WITHDRAWAL',
        amount: { amount: '20.25' },
        balanceAfter: { amount: '80.25' },
        revision: 3,
        description: 'groceries',
      },
      {
        kind: 'DEPOSIT',
        amount: { amount: '0.50' },
        balanceAfter: { amount: '100.50' },
        revision: 2,
        description: null,
      },
    ]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await graphql(
      tally,
      `query ($id: ID!, $after: String) { account(id: $id) { transactions(first: 2, after: $after) {
         edges { node { kind revision } } pageInfo { hasNextPage } } } }`,
      { id: accountId, after: page.pageInfo.endCursor },
    );
    expect(next.data?.account.transactions).toEqual({
      edges: [{ node: { kind: 'DEPOSIT', revision: 1 } }],
      pageInfo: { hasNextPage: false },
    });
  });

  it('refuses to overdraw with a typed error and appends nothing', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '10.00' });
    const result = await graphql(tally, WITHDRAW, { input: { accountId, amount: '10.01' } });
    expect(result.data?.withdrawMoney).toMatchObject({
      __typename: 'InsufficientFundsError',
      accountId,
      available: { amount: '10.00', currency: 'USD' },
      requested: { amount: '10.01', currency: 'USD' },
    });
    expect(await streamEvents(accountId)).toHaveLength(2);
  });

  it('reports an unknown account as AccountNotFoundError and writes nothing', async () => {
    const accountId = randomUUID();
    const result = await graphql(tally, DEPOSIT, { input: { accountId, amount: '1' } });
    expect(result.data?.depositMoney).toMatchObject({
      __typename: 'AccountNotFoundError',
      accountId,
    });
    expect(await streamEvents(accountId)).toHaveLength(0);
  });

  it('names the field and the rule for bad input, and writes nothing', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '1' });
    const badId = await graphql(tally, DEPOSIT, {
      input: { accountId: 'not-a-uuid', amount: '1' },
    });
    expect(badId.data?.depositMoney).toMatchObject({
      __typename: 'ValidationError',
      field: 'accountId',
    });

    const tooPrecise = await graphql(tally, DEPOSIT, { input: { accountId, amount: '1.001' } });
    expect(tooPrecise.data?.depositMoney).toMatchObject({
      __typename: 'ValidationError',
      field: 'amount',
      message: 'amount: USD allows at most 2 decimal places',
    });

    const currency = await graphql(
      tally,
      `mutation { openAccount(input: { ownerId: "${randomUUID()}", currency: "ZZZ" }) { __typename ... on ValidationError { field message } } }`,
    );
    expect(currency.data?.openAccount).toMatchObject({
      __typename: 'ValidationError',
      field: 'currency',
    });

    for (const [amount, rule] of [
      [12.5, /never a number/],
      ['-5', /positive decimal string/],
      ['0.00', /greater than zero/],
      ['99999999999999999', /too large/],
    ] as const) {
      const result = await graphql(tally, DEPOSIT, { input: { accountId, amount } });
      expect(result.data, String(amount)).toBeUndefined();
      expect(result.errors?.[0]?.message, String(amount)).toMatch(/input\.amount/);
      expect(result.errors?.[0]?.message, String(amount)).toMatch(rule);
    }
    const literalFloat = await graphql(
      tally,
      `mutation { depositMoney(input: { accountId: "${accountId}", amount: 1.5 }) { __typename } }`,
    );
    expect(literalFloat.errors?.[0]?.message).toMatch(/never as a number/);
    expect(await streamEvents(accountId)).toHaveLength(2);
  });

  it('answers a syntax error with the standard GraphQL error', async () => {
    const result = await graphql(tally, 'mutation { depositMoney(input: { ');
    expect(result.errors?.[0]?.message).toMatch(/^Syntax Error/);
  });

  it('a retry with the same idempotency key returns the first result and appends once', async () => {
    const { accountId } = await openAccount(tally);
    const input = { accountId, amount: '7.00', idempotencyKey: `key-${randomUUID()}` };
    const first = await graphql(tally, DEPOSIT, { input });
    const second = await graphql(tally, DEPOSIT, { input });
    expect(second.data?.depositMoney).toEqual(first.data?.depositMoney);
    expect(await streamEvents(accountId)).toHaveLength(2);

    const reused = await graphql(tally, DEPOSIT, { input: { ...input, amount: '8.00' } });
    expect(reused.data?.depositMoney).toMatchObject({
      __typename: 'ValidationError',
      field: 'idempotencyKey',
    });
    expect(await streamEvents(accountId)).toHaveLength(2);
  });

  it('openAccount with an idempotency key and no id opens one account only', async () => {
    const input = { ownerId: randomUUID(), currency: 'EUR', idempotencyKey: randomUUID() };
    const first = await graphql(
      tally,
      `mutation ($input: OpenAccountInput!) { openAccount(input: $input) { ... on AccountCommandSuccess { account { id } position } } }`,
      { input },
    );
    const again = await graphql(
      tally,
      `mutation ($input: OpenAccountInput!) { openAccount(input: $input) { ... on AccountCommandSuccess { account { id } position } } }`,
      { input },
    );
    expect(again.data?.openAccount).toEqual(first.data?.openAccount);
  });

  it('turns a stale expectedRevision into ConcurrencyConflictError', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '5' });
    const ok = await graphql(tally, DEPOSIT, {
      input: { accountId, amount: '1', expectedRevision: 1 },
    });
    expect(ok.data?.depositMoney.account.revision).toBe(2);
    const stale = await graphql(tally, DEPOSIT, {
      input: { accountId, amount: '1', expectedRevision: 1 },
    });
    expect(stale.data?.depositMoney).toMatchObject({
      __typename: 'ConcurrencyConflictError',
      expectedRevision: 1,
      actualRevision: 2,
    });
    expect(await streamEvents(accountId)).toHaveLength(3);
  });

  it('freezes, refuses movements, unfreezes, and closes only at zero', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '3' });
    const frozen = await graphql(
      tally,
      FREEZE,
      { input: { accountId, reason: 'fraud review' } },
      { as: { role: 'admin', sub: 'ops:alice' } },
    );
    expect(frozen.data?.freezeAccount.account.status).toBe('FROZEN');
    const refused = await graphql(tally, WITHDRAW, { input: { accountId, amount: '1' } });
    expect(refused.data?.withdrawMoney).toMatchObject({
      __typename: 'AccountNotOpenError',
      status: 'FROZEN',
    });
    await graphql(tally, UNFREEZE, { input: { accountId, reason: 'cleared' } });
    const notEmpty = await graphql(tally, CLOSE, { input: { accountId, reason: 'leaving' } });
    expect(notEmpty.data?.closeAccount).toMatchObject({
      __typename: 'ValidationError',
      field: 'accountId',
    });
    await graphql(tally, WITHDRAW, { input: { accountId, amount: '3' } });
    const closed = await graphql(tally, CLOSE, { input: { accountId, reason: 'leaving' } });
    expect(closed.data?.closeAccount.account.status).toBe('CLOSED');
    const blank = await graphql(tally, FREEZE, { input: { accountId, reason: ' ' } });
    expect(blank.data?.freezeAccount).toMatchObject({
      __typename: 'ValidationError',
      field: 'reason',
    });

    const events = await streamEvents(accountId);
    const freeze = events.find((e) => e.type === 'AccountFrozen')!;
    expect(freeze.metadata).toMatchObject({
      actor: 'ops:alice',
      reason: 'fraud review',
      schemaVersion: 1,
    });
    expect(freeze.metadata).toHaveProperty('correlationId');
    expect(freeze.metadata).toHaveProperty('causationId');
    expect(freeze.metadata).toHaveProperty('commandId');
    expect(freeze.metadata).toHaveProperty('occurredAt');
  });

  it('50 concurrent withdrawals never overdraw; the accepted ones sum to the balance taken', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '100.00' });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        graphql(tally, WITHDRAW, { input: { accountId, amount: `${(i % 7) + 1}.00` } }),
      ),
    );
    const accepted = results.filter(
      (r) => r.data?.withdrawMoney.__typename === 'AccountCommandSuccess',
    );
    const refused = results.filter(
      (r) => r.data?.withdrawMoney.__typename === 'InsufficientFundsError',
    );
    expect(results.filter((r) => !accepted.includes(r) && !refused.includes(r))).toEqual([]);
    const events = await streamEvents(accountId);
    const withdrawn = events
      .filter((e) => e.type === 'MoneyWithdrawn')
      .reduce((sum, e) => sum + (e.data as { amount: number }).amount, 0);
    const final = (events.at(-1)!.data as { balanceAfter: number }).balanceAfter;
    expect(withdrawn + final).toBe(10000);
    expect(final).toBeGreaterThanOrEqual(0);
    expect(events.filter((e) => e.type === 'MoneyWithdrawn')).toHaveLength(accepted.length);
  });

  it('a query waiting on a position the read models never reach fails with a typed error', async () => {
    const result = await graphql(tally, ACCOUNT, {
      id: randomUUID(),
      consistentWith: '18446744073709551615',
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'CONSISTENCY_TIMEOUT',
      requested: '18446744073709551615',
    });
    expect(result.errors?.[0]?.message).toMatch(/did not reach position/);
  });

  it('validates ids and page sizes on queries', async () => {
    const badId = await graphql(tally, ACCOUNT, { id: 'nope' });
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    for (const first of [0, 101]) {
      const result = await graphql(
        tally,
        `{ accounts(first: ${first}) { edges { node { id } } } }`,
      );
      expect(result.errors?.[0]?.extensions, String(first)).toMatchObject({ field: 'first' });
    }
  });

  it('lists the accounts of one owner, page by page', async () => {
    const ownerId = randomUUID();
    const opened = [];
    for (let i = 0; i < 3; i++) opened.push(await openAccount(tally, { ownerId }));
    const query = `query ($owner: ID, $after: String, $at: Position) { accounts(ownerId: $owner, first: 2, after: $after, consistentWith: $at) { edges { node { id ownerId } } pageInfo { hasNextPage endCursor } } }`;
    const first = await graphql(tally, query, { owner: ownerId, at: opened[2]!.position });
    const second = await graphql(tally, query, {
      owner: ownerId,
      after: first.data?.accounts.pageInfo.endCursor,
    });
    const ids = [...first.data!.accounts.edges, ...second.data!.accounts.edges].map(
      (e: Json) => e.node.id,
    );
    expect(ids).toEqual(opened.map((o) => o.accountId).sort());
    expect(second.data?.accounts.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses a hostile, deeply nested query before running it', async () => {
    const deep = `{ account(id: "${randomUUID()}") { ${'transactions(first: 1) { edges { node { id } } pageInfo { hasNextPage } } '.repeat(1)} ${'a: id '.repeat(50)} } }`;
    const result = await graphql(tally, deep);
    expect(result.errors?.[0]?.message).toMatch(/alias/i);
  });
});
