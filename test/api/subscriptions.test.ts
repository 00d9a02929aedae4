import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { WITHDRAW } from '../support/operations.js';
import { subscribeOverSse } from '../support/sse.js';
import { graphql, startTestTally } from '../support/test-tally.js';

let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally();
});
afterAll(async () => {
  await tally?.close();
});

const BALANCE_CHANGED = `subscription ($id: ID!, $after: Int) {
  balanceChanged(accountId: $id, afterRevision: $after) { balance { amount } revision }
}`;
const ACTIVITY = `subscription ($id: ID!, $after: Int) {
  accountActivity(accountId: $id, afterRevision: $after) { kind amount { amount } balanceAfter { amount } revision }
}`;

describe('live subscriptions over SSE', () => {
  it('balanceChanged sends the current document, then each new state in order', async () => {
    const { accountId, position } = await openAccount(tally, { initialDeposit: '1.00' });
    await tally.projector.progress.waitFor(BigInt(position), 5000);
    const live = subscribeOverSse(tally, BALANCE_CHANGED, { id: accountId });
    const current = await live.next();
    expect(current.data.balanceChanged).toEqual({ balance: { amount: '1.00' }, revision: 1 });
    await deposit(tally, accountId, '2');
    await graphql(tally, WITHDRAW, { input: { accountId, amount: '0.5' } });
    await deposit(tally, accountId, '10');
    const updates = await live.take(3);
    expect(updates.map((u) => u.data.balanceChanged)).toEqual([
      { balance: { amount: '3.00' }, revision: 2 },
      { balance: { amount: '2.50' }, revision: 3 },
      { balance: { amount: '12.50' }, revision: 4 },
    ]);
    live.close();
  });

  it('balanceChanged with afterRevision sends only newer states', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '1.00' });
    await deposit(tally, accountId, '1');
    const live = subscribeOverSse(tally, BALANCE_CHANGED, { id: accountId, after: 2 });
    await deposit(tally, accountId, '1');
    const first = await live.next();
    expect(first.data.balanceChanged).toEqual({ balance: { amount: '3.00' }, revision: 3 });
    live.close();
  });

  it('accountActivity joining mid-burst with afterRevision gets every transaction exactly once, in order', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '1.00' });
    const burst = 40;
    const deposits = (async () => {
      for (let i = 0; i < burst; i++) await deposit(tally, accountId, '1');
    })();
    // Join while the burst is under way, asking for everything after the opening deposit.
    await deposit(tally, accountId, '1');
    const live = subscribeOverSse(tally, ACTIVITY, { id: accountId, after: 1 });
    await deposits;
    const received = await live.take(burst + 1);
    expect(received.map((r) => r.data.accountActivity.revision)).toEqual(
      Array.from({ length: burst + 1 }, (_, i) => i + 2),
    );
    expect(received.at(-1).data.accountActivity).toEqual({
      kind: 'DEPOSIT',
      amount: { amount: '1.00' },
      balanceAfter: { amount: `${burst + 2}.00` },
      revision: burst + 2,
    });
    live.close();
  });

  it('refuses a malformed account id with an error naming the field', async () => {
    const live = subscribeOverSse(tally, ACTIVITY, { id: 'not-a-uuid' });
    const first = await live.next();
    expect(first.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'accountId',
    });
    live.close();
  });
});

describe('subscriber resources', () => {
  it('a thousand idle subscribers share one change stream, and hanging up frees them', async () => {
    const { accountId, position } = await openAccount(tally, { initialDeposit: '1.00' });
    await tally.projector.progress.waitFor(BigInt(position), 5000);
    const before = tally.live.accounts.stats();
    const subscribers = Array.from({ length: 1000 }, () =>
      subscribeOverSse(tally, BALANCE_CHANGED, { id: accountId }),
    );
    await Promise.all(subscribers.map((s) => s.next()));
    const during = tally.live.accounts.stats();
    expect(during.listeners).toBe(before.listeners + 1000);
    expect(during.streamsOpened).toBeLessThanOrEqual(Math.max(1, before.streamsOpened));

    await deposit(tally, accountId, '1');
    const pushed = await Promise.all(subscribers.map((s) => s.next()));
    expect(new Set(pushed.map((p) => JSON.stringify(p)))).toEqual(
      new Set([
        JSON.stringify({ data: { balanceChanged: { balance: { amount: '2.00' }, revision: 2 } } }),
      ]),
    );

    const released = new Promise<void>((resolve) => {
      const check = () =>
        tally.live.accounts.stats().listeners === before.listeners
          ? resolve()
          : setImmediate(check);
      check();
    });
    for (const s of subscribers) s.close();
    await released;
    expect(tally.live.accounts.stats().listeners).toBe(before.listeners);
  });
});
