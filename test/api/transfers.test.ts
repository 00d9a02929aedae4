import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { openAccount } from '../support/ledger-client.js';
import { ACCOUNT, FREEZE, TRANSFER, TRANSFER_QUERY } from '../support/operations.js';
import { lastTransferSent, waitForSettlement } from '../support/settlement.js';
import { graphql, type Json, startTestTally } from '../support/test-tally.js';

let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally();
});
afterAll(async () => {
  await tally?.close();
});

async function balance(accountId: string): Promise<string> {
  const result = await graphql(tally, ACCOUNT, { id: accountId });
  return result.data?.account.balance.amount;
}

async function transfer(input: Record<string, unknown>) {
  return (await graphql(tally, TRANSFER, { input })).data?.transferMoney;
}

describe('transfers', () => {
  it('debits at once and the process manager credits the target', async () => {
    const from = await openAccount(tally, { initialDeposit: '100.00' });
    const to = await openAccount(tally, { initialDeposit: '1.00' });
    const sent = await transfer({
      fromAccountId: from.accountId,
      toAccountId: to.accountId,
      amount: '40.10',
    });
    expect(sent).toMatchObject({
      __typename: 'TransferSuccess',
      transfer: {
        fromAccountId: from.accountId,
        toAccountId: to.accountId,
        amount: { amount: '40.10', currency: 'USD' },
        status: 'PENDING',
      },
    });
    await waitForSettlement(tally, await lastTransferSent(tally, from.accountId));
    expect(await balance(from.accountId)).toBe('59.90');
    expect(await balance(to.accountId)).toBe('41.10');
    const read = await graphql(tally, TRANSFER_QUERY, { id: sent.transfer.id });
    expect(read.data?.transfer).toMatchObject({ status: 'COMPLETED', reason: null });
  });

  it('refuses insufficient funds at once, and a transfer to the same account', async () => {
    const from = await openAccount(tally, { initialDeposit: '5.00' });
    const to = await openAccount(tally);
    expect(
      await transfer({ fromAccountId: from.accountId, toAccountId: to.accountId, amount: '5.01' }),
    ).toMatchObject({
      __typename: 'InsufficientFundsError',
      available: { amount: '5.00' },
      requested: { amount: '5.01' },
    });
    expect(
      await transfer({ fromAccountId: from.accountId, toAccountId: from.accountId, amount: '1' }),
    ).toMatchObject({
      __typename: 'ValidationError',
      field: 'toAccountId',
    });
    expect(
      await transfer({ fromAccountId: from.accountId, toAccountId: 'x', amount: '1' }),
    ).toMatchObject({
      __typename: 'ValidationError',
      field: 'toAccountId',
    });
  });

  it('refunds the source when the target is frozen, missing or in another currency', async () => {
    const from = await openAccount(tally, { initialDeposit: '30.00' });
    const frozen = await openAccount(tally);
    await graphql(tally, FREEZE, { input: { accountId: frozen.accountId, reason: 'review' } });
    const euros = await openAccount(tally, { currency: 'EUR' });
    const targets = [frozen.accountId, randomUUID(), euros.accountId];
    const ids: string[] = [];
    for (const toAccountId of targets) {
      const sent = await transfer({ fromAccountId: from.accountId, toAccountId, amount: '10.00' });
      expect(sent.__typename).toBe('TransferSuccess');
      ids.push(sent.transfer.id);
    }
    await waitForSettlement(tally, await lastTransferSent(tally, from.accountId));
    expect(await balance(from.accountId)).toBe('30.00');
    const reasons: string[] = [];
    for (const id of ids) {
      const read = await graphql(tally, TRANSFER_QUERY, { id });
      expect(read.data?.transfer.status).toBe('REFUNDED');
      reasons.push(read.data?.transfer.reason);
    }
    expect(reasons[0]).toMatch(/frozen/);
    expect(reasons[1]).toMatch(/does not exist/);
    expect(reasons[2]).toMatch(/holds EUR, not USD/);
    const history = await graphql(
      tally,
      `query ($id: ID!) { account(id: $id) { transactions(first: 10) { edges { node { kind transferId counterpartyAccountId } } } } }`,
      { id: from.accountId },
    );
    const kinds = history.data?.account.transactions.edges.map((e: Json) => e.node.kind);
    expect(kinds.filter((k: string) => k === 'TRANSFER_REFUND')).toHaveLength(3);
  });

  it('a retried transfer with the same idempotency key moves the money once', async () => {
    const from = await openAccount(tally, { initialDeposit: '10.00' });
    const to = await openAccount(tally);
    const input = {
      fromAccountId: from.accountId,
      toAccountId: to.accountId,
      amount: '3.00',
      idempotencyKey: randomUUID(),
    };
    const first = await transfer(input);
    const again = await transfer(input);
    expect(again).toEqual(first);
    await waitForSettlement(tally, await lastTransferSent(tally, from.accountId));
    expect(await balance(from.accountId)).toBe('7.00');
    expect(await balance(to.accountId)).toBe('3.00');
  });

  it('500 random concurrent transfers among 20 accounts conserve money and all settle', async () => {
    const accounts: string[] = [];
    for (let i = 0; i < 20; i++)
      accounts.push((await openAccount(tally, { initialDeposit: '100.00' })).accountId);
    for (const accountId of accounts.slice(0, 2)) {
      await graphql(tally, FREEZE, { input: { accountId, reason: 'chaos' } });
    }
    const targets = [...accounts, randomUUID(), randomUUID()];
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const requests = Array.from({ length: 500 }, () => {
      const fromAccountId = accounts[random(accounts.length)]!;
      let toAccountId = targets[random(targets.length)]!;
      if (toAccountId === fromAccountId)
        toAccountId = targets[(targets.indexOf(toAccountId) + 1) % targets.length]!;
      return { fromAccountId, toAccountId, amount: `${random(3000) + 1}.${random(100)}` };
    });
    const results = await Promise.all(requests.map((input) => transfer(input)));
    const outcomes = new Map<string, number>();
    for (const r of results) outcomes.set(r.__typename, (outcomes.get(r.__typename) ?? 0) + 1);
    expect([...outcomes.keys()].sort()).toEqual([
      'AccountNotOpenError',
      'InsufficientFundsError',
      'TransferSuccess',
    ]);

    let lastSent = 0n;
    for (const accountId of accounts) {
      const sent = await lastTransferSent(tally, accountId);
      if (sent > lastSent) lastSent = sent;
    }
    await waitForSettlement(tally, lastSent);

    let total = 0;
    for (const accountId of accounts) total += Math.round(Number(await balance(accountId)) * 100);
    expect(total).toBe(20 * 100_00);
    const successes = results.filter((r) => r.__typename === 'TransferSuccess');
    const statuses = await tally.models.transfers
      .find({ _id: { $in: successes.map((r) => r.transfer.id) } })
      .toArray();
    expect(statuses).toHaveLength(successes.length);
    expect(statuses.every((t) => t.status === 'COMPLETED' || t.status === 'REFUNDED')).toBe(true);
    expect(statuses.some((t) => t.status === 'REFUNDED')).toBe(true);
  });
});
