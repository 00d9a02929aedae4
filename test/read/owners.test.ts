import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { readModelProjections } from '../../src/read/projections/index.js';
import { applyBatch } from '../../src/read/projector.js';
import { type RecordedEvent, toRecordedEvent } from '../../src/read/recorded-event.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { TRANSFER, WITHDRAW } from '../support/operations.js';
import { lastTransferSent, waitForSettlement } from '../support/settlement.js';
import { graphql, type Json, startTestTally } from '../support/test-tally.js';

const OWNER = `query ($id: ID!, $consistentWith: Position) {
  owner(id: $id, consistentWith: $consistentWith) {
    id accountCount transactionCount
    totals { amount currency }
    totalsByKind { kind count amount { amount currency } }
  }
}`;

let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally();
});
afterAll(async () => {
  await tally?.close();
});

/** An owner with two USD accounts and one EUR account, and some money moved between them. */
async function ownerWithActivity() {
  const ownerId = randomUUID();
  const usd1 = (await openAccount(tally, { ownerId, initialDeposit: '100.00' })).accountId;
  const usd2 = (await openAccount(tally, { ownerId })).accountId;
  await openAccount(tally, { ownerId, currency: 'EUR', initialDeposit: '7.50' });
  await deposit(tally, usd2, '20.25');
  await graphql(tally, WITHDRAW, { input: { accountId: usd1, amount: '5.00' } });
  const sent = await graphql(tally, TRANSFER, {
    input: { fromAccountId: usd1, toAccountId: usd2, amount: '10.00' },
  });
  expect(sent.data?.transferMoney.__typename, JSON.stringify(sent)).toBe('TransferSuccess');
  await waitForSettlement(tally, await lastTransferSent(tally, usd1));
  return { ownerId, usd1, usd2 };
}

const owner = (id: string, as: Json = 'admin') =>
  graphql(tally, OWNER, { id }, { as }).then((r) => r);

describe('Query.owner', () => {
  it("sums a customer's accounts: how many, how many transactions, totals by currency and kind", async () => {
    const { ownerId } = await ownerWithActivity();
    const result = await owner(ownerId, { role: 'customer', sub: ownerId });
    expect(result.errors).toBeUndefined();
    const summary = result.data?.owner;
    expect(summary).toMatchObject({ id: ownerId, accountCount: 3, transactionCount: 6 });
    // 100 − 5 − 10 + 20.25 + 10 stays with the owner: 115.25 USD, and the 7.50 EUR.
    expect(summary.totals).toEqual([
      { amount: '7.50', currency: 'EUR' },
      { amount: '115.25', currency: 'USD' },
    ]);
    expect(summary.totalsByKind).toEqual([
      { kind: 'DEPOSIT', count: 1, amount: { amount: '7.50', currency: 'EUR' } },
      { kind: 'DEPOSIT', count: 2, amount: { amount: '120.25', currency: 'USD' } },
      { kind: 'TRANSFER_IN', count: 1, amount: { amount: '10.00', currency: 'USD' } },
      { kind: 'TRANSFER_OUT', count: 1, amount: { amount: '10.00', currency: 'USD' } },
      { kind: 'WITHDRAWAL', count: 1, amount: { amount: '5.00', currency: 'USD' } },
    ]);
  });

  it('lets auditors and admins read any owner, a customer only itself, and a teller none', async () => {
    const { ownerId } = await ownerWithActivity();
    expect((await owner(ownerId, 'auditor')).data?.owner.accountCount).toBe(3);
    expect((await owner(ownerId, 'admin')).data?.owner.accountCount).toBe(3);
    for (const who of [{ role: 'customer', sub: randomUUID() }, 'teller']) {
      const refused = await owner(ownerId, who);
      expect(refused.data?.owner ?? null).toBeNull();
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('answers null for an owner with no account, and waits for consistentWith', async () => {
    const ownerId = randomUUID();
    expect((await owner(ownerId)).data).toEqual({ owner: null });
    const { position } = await openAccount(tally, { ownerId, initialDeposit: '1.00' });
    const result = await graphql(tally, OWNER, { id: ownerId, consistentWith: position });
    expect(result.data?.owner).toMatchObject({ accountCount: 1, transactionCount: 1 });
  });

  it('counts nothing twice when the events are applied again, whole, in parts or one by one', async () => {
    const { ownerId, usd1, usd2 } = await ownerWithActivity();
    const before = (await owner(ownerId)).data?.owner;
    const events: RecordedEvent[] = [];
    for (const id of [usd1, usd2]) {
      for await (const resolved of tally.eventStore.readStream(`account-${id}`)) {
        events.push(toRecordedEvent(resolved.event as never));
      }
    }
    await applyBatch(tally.models, readModelProjections, events);
    await applyBatch(tally.models, readModelProjections, events.slice(2, 5));
    for (const event of events) await applyBatch(tally.models, readModelProjections, [event]);
    expect((await owner(ownerId)).data?.owner).toEqual(before);
  });
});
