import { randomUUID } from 'node:crypto';
import { jsonEvent } from '@eventstore/db-client';
import { type EmbeddedEventStore, startEmbeddedEventStore } from '@tally/eventstore-standin';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { formatDifference } from '../../src/integrity/differences.js';
import { verifyLedger } from '../../src/integrity/verify.js';
import { runTallyCli } from '../cli/tally-cli.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { FREEZE, TRANSFER, UNFREEZE, WITHDRAW } from '../support/operations.js';
import { endOfAll, lastTransferSent, waitForSettlement } from '../support/settlement.js';
import { graphql, startTestTally } from '../support/test-tally.js';

// This file's ledger has its own event store (an in-memory stand-in), so "no differences" is a
// statement about exactly the events written here, whatever other test files do meanwhile.
let store: EmbeddedEventStore;
let tally: Tally;
beforeAll(async () => {
  store = await startEmbeddedEventStore({ host: '127.0.0.1', port: 0 });
  tally = await startTestTally({ eventStoreUrl: store.url });
});
afterAll(async () => {
  await tally?.close();
  await store?.close();
});

const verify = () =>
  verifyLedger({ eventStore: tally.eventStore, models: tally.models, waitMs: 20_000 });

/** `npm run tally -- verify` as its own process, against this file's stores. */
const verifyCli = () =>
  runTallyCli(['verify', '--wait', '20'], {
    EVENTSTORE_URL: store.url,
    MONGODB_URL: inject('mongoUrl'),
    MONGODB_DB: tally.models.accounts.dbName,
  });

let a: string;
let b: string;
let yen: string;
let completedTransfer: string;

async function transfer(from: string, to: string, amount: string) {
  const result = await graphql(tally, TRANSFER, {
    input: { fromAccountId: from, toAccountId: to, amount },
  });
  expect(result.data?.transferMoney.__typename, JSON.stringify(result)).toBe('TransferSuccess');
  return result.data?.transferMoney.transfer.id as string;
}

describe('verify', () => {
  it('finds no difference on a ledger of deposits, withdrawals, transfers and refunds', async () => {
    a = (await openAccount(tally, { currency: 'TND', initialDeposit: '100' })).accountId;
    b = (await openAccount(tally, { currency: 'TND' })).accountId;
    yen = (await openAccount(tally, { currency: 'ISK', initialDeposit: '500' })).accountId;
    await deposit(tally, b, '0.005');
    await graphql(tally, WITHDRAW, { input: { accountId: a, amount: '0.250' } });
    completedTransfer = await transfer(a, b, '10');
    await transfer(a, yen, '1'); // another currency: refunded
    await transfer(a, randomUUID(), '2'); // no such account: refunded
    await graphql(tally, FREEZE, { input: { accountId: b, reason: 'audit' } });
    await transfer(a, b, '3'); // frozen: refunded
    await waitForSettlement(tally, await lastTransferSent(tally, a));
    await graphql(tally, UNFREEZE, { input: { accountId: b, reason: 'done' } });

    const report = await verify();
    expect(report.differences.map(formatDifference)).toEqual([]);
    expect(report).toMatchObject({ accounts: 3, transfers: 4, currencies: 2 });
  });

  it('runs as `npm run tally -- verify`, exiting 0 when clean', async () => {
    const { code, lines, stderr } = await verifyCli();
    expect(stderr).toBe('');
    expect(lines.at(-1)).toMatch(/^verify: no differences \(\d+ events, 3 accounts, 4 transfers/);
    expect(code).toBe(0);
  });

  it('stays clean while deposits land during the check', async () => {
    const deposits = Array.from({ length: 20 }, (_, i) =>
      deposit(tally, i % 2 ? a : b, `0.00${(i % 9) + 1}`),
    );
    const report = await verify();
    await Promise.all(deposits);
    expect(report.differences.map(formatDifference)).toEqual([]);
    await tally.projector.progress.waitFor(await endOfAll(tally), 5000);
    expect((await verify()).differences).toEqual([]);
  });

  it('reports a corrupted account balance, and the CLI prints it and exits 1', async () => {
    const before = await tally.models.accounts.findOne({ _id: a });
    await tally.models.accounts.updateOne({ _id: a }, { $inc: { balance: 1 } });
    try {
      const report = await verify();
      const expected = `account ${a}: balance: event store ${fmt(before!.balance)}, read model ${fmt(before!.balance + 1)}`;
      expect(report.differences.map(formatDifference)).toContain(expected);
      expect(report.differences).toContainEqual(
        expect.objectContaining({
          subject: 'ledger TND',
          field: 'conservation in the read models',
        }),
      );

      const cli = await verifyCli();
      expect(cli.lines).toContain(expected);
      expect(cli.lines.at(-1)).toMatch(/^verify: 2 differences/);
      expect(cli.code).toBe(1);
    } finally {
      await tally.models.accounts.replaceOne({ _id: a }, before!);
    }
    expect((await verify()).differences).toEqual([]);
  });

  it('reports a wrong status, a lost transaction and a total counted twice, each on its own line', async () => {
    const transferBefore = await tally.models.transfers.findOne({ _id: completedTransfer });
    const lost = await tally.models.transactions.findOne(
      { accountId: b },
      { sort: { revision: -1 } },
    );
    const totalsBefore = await tally.models.ledgerIntegrity.findOne({ _id: 'ISK' as never });
    await tally.models.transfers.updateOne(
      { _id: completedTransfer },
      { $set: { status: 'PENDING' } },
    );
    await tally.models.transactions.deleteOne({ _id: lost!._id });
    await tally.models.ledgerIntegrity.updateOne(
      { _id: 'ISK' as never },
      { $inc: { deposited: 500 } },
    );
    try {
      const lines = (await verify()).differences.map(formatDifference);
      expect(lines).toEqual(
        expect.arrayContaining([
          `transfer ${completedTransfer}: status: event store COMPLETED, read model PENDING`,
          expect.stringMatching(
            new RegExp(`^account ${b}: transactions: event store (\\d+), read model `),
          ),
          'ledger ISK: deposited: event store 500, read model 1000',
          expect.stringMatching(
            /^ledger ISK: conservation in the read models: balances 500 \+ in flight 0 = 500, but .* = 1000$/,
          ),
        ]),
      );
      expect(lines).toHaveLength(4);
    } finally {
      await tally.models.transfers.replaceOne({ _id: completedTransfer }, transferBefore!);
      await tally.models.transactions.insertOne(lost!);
      await tally.models.ledgerIntegrity.replaceOne({ _id: 'ISK' as never }, totalsBefore!);
    }
    expect((await verify()).differences).toEqual([]);
  });

  it('reports projections that have not reached the head instead of comparing', async () => {
    const report = await verifyLedger({
      eventStore: tally.eventStore,
      models: tally.models,
      waitMs: 0,
      projections: [{ name: 'notARealProjection' as never, project: () => [] }],
    });
    expect(report.differences).toEqual([
      expect.objectContaining({ subject: 'projection:notARealProjection', field: 'behind' }),
    ]);
  });

  // Last: it writes money into the event store that the domain would never have written.
  it('reports an event whose balanceAfter creates money, and the broken conservation', async () => {
    const victim = (await openAccount(tally, { currency: 'TND', initialDeposit: '1' })).accountId;
    await tally.eventStore.appendToStream(
      `account-${victim}`,
      jsonEvent({
        type: 'MoneyDeposited',
        data: { accountId: victim, amount: 1000, currency: 'TND', balanceAfter: 5000 },
        metadata: { actor: 'intruder', occurredAt: new Date().toISOString() },
      }),
    );
    await tally.projector.progress.waitFor(await endOfAll(tally), 5000);

    const lines = (await verify()).differences.map(formatDifference);
    expect(lines).toContain(
      `event account-${victim}@2 MoneyDeposited: balanceAfter: 5.000, but the balance before (1.000) and the movement make 2.000`,
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ledger TND: conservation in the event store: /),
    );
  });
});

const fmt = (minor: number) => (minor / 1000).toFixed(3);
