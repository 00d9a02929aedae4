import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { type EmbeddedEventStore, startEmbeddedEventStore } from '@tally/eventstore-standin';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Tally } from '../../src/app.js';
import { runCli } from '../../src/cli/run.js';
import { formatDifference } from '../../src/integrity/differences.js';
import { verifyLedger } from '../../src/integrity/verify.js';
import { balanceChanges } from '../../src/live/balance-changes.js';
import { readModelProjections } from '../../src/read/projections/index.js';
import { RebuildRequests } from '../../src/rebuild/rebuild-requests.js';
import { rebuildProjection } from '../../src/rebuild/rebuild-run.js';
import { ShadowBuilder } from '../../src/rebuild/shadow-builder.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { ACCOUNT } from '../support/operations.js';
import { endOfAll } from '../support/settlement.js';
import { graphql, startTestTally } from '../support/test-tally.js';

// A rebuild races a depositor to the head: on a loaded two-core machine that takes a while.
vi.setConfig({ testTimeout: 240_000 });

// Its own event store, so verify's "no difference" is about exactly the events written here.
let store: EmbeddedEventStore;
let tally: Tally;
beforeAll(async () => {
  store = await startEmbeddedEventStore({ host: '127.0.0.1', port: 0 });
  tally = await startTestTally({ eventStoreUrl: store.url });
  process.env.EVENTSTORE_URL = store.url;
  process.env.MONGODB_URL = inject('mongoUrl');
  process.env.MONGODB_DB = tally.models.accounts.dbName;
});
afterAll(async () => {
  await tally?.close();
  await store?.close();
});

const db = () => tally.models.checkpoints.db;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err: err.join('\n') };
}

async function verifyClean() {
  const report = await verifyLedger({
    eventStore: tally.eventStore,
    models: tally.models,
    waitMs: 20_000,
  });
  expect(report.differences.map(formatDifference)).toEqual([]);
  return report;
}

/** Deposits of one cent, one account after another, until told to stop; what each returned. */
function keepDepositing(accounts: readonly string[]) {
  const done: Array<{ accountId: string; revision: number; position: bigint }> = [];
  let stopped = false;
  const running = (async () => {
    for (let i = 0; !stopped; i++) {
      const accountId = accounts[i % accounts.length]!;
      const result = await deposit(tally, accountId, '0.01');
      expect(result?.__typename, JSON.stringify(result)).toBe('AccountCommandSuccess');
      done.push({
        accountId,
        revision: result.account.revision,
        position: BigInt(result.position),
      });
    }
  })();
  return {
    done,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

describe('npm run tally -- rebuild', () => {
  it('rebuilds every read model while deposits keep coming; readers and watchers never notice, and verify finds no difference', async () => {
    const accounts: string[] = [];
    for (let i = 0; i < 8; i++) {
      accounts.push((await openAccount(tally, { initialDeposit: '10.00' })).accountId);
    }
    const watched = accounts[0]!;
    // A live balanceChanged subscriber on one account, across every switch.
    const seen: number[] = [];
    const watcher = balanceChanges(tally.live.accounts, tally.models.accounts, watched, undefined);
    let untilRevision = Number.POSITIVE_INFINITY;
    const watching = (async () => {
      for await (const account of watcher) {
        seen.push(account.revision);
        if (account.revision >= untilRevision) return;
      }
    })();
    // A reader: the watched account never disappears nor goes back in revision.
    let reading = true;
    const revisionsRead: number[] = [];
    const reader = (async () => {
      while (reading) {
        const result = await graphql(tally, ACCOUNT, { id: watched });
        expect(result.errors).toBeUndefined();
        expect(result.data?.account, 'the account vanished during a rebuild').not.toBeNull();
        revisionsRead.push(result.data?.account.revision);
      }
    })();

    const depositor = keepDepositing(accounts);
    const startedAt = await endOfAll(tally);
    const run = await cli('rebuild');
    const endedAt = await endOfAll(tally);
    expect(run.err).toBe('');
    expect(run.code, run.out.join('\n')).toBe(0);
    for (const name of readModelProjections.map((p) => p.name)) {
      expect(run.out).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^rebuild ${name}: \\d+ events in [\\d.]+ s \\(\\d+ events/s\\), switched in at position \\d+ by the running projector$`,
          ),
        ),
      );
    }
    // A few more after the last switch: the projector writes the new copies.
    await deposit(tally, watched, '0.01');
    await depositor.stop();
    const last = await deposit(tally, watched, '0.01');
    reading = false;
    await reader;
    untilRevision = last.account.revision;
    await watching;

    const during = depositor.done.filter((d) => d.position > startedAt && d.position <= endedAt);
    expect(during.length, 'deposits made while the rebuild ran').toBeGreaterThan(10);
    // Readers saw the old copy, then the new one: never a half-built one, never going back.
    expect(revisionsRead).toEqual([...revisionsRead].sort((a, b) => a - b));
    // The watcher saw every revision of its account once, in order, across the switches.
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => seen[0]! + i));
    expect(seen.at(-1)).toBe(last.account.revision);

    const report = await verifyClean();
    expect(report.accounts).toBe(8);
    // No deposit is missing from the switched copies.
    await tally.projector.progress.waitFor(BigInt(last.position), 10_000);
    const ids = depositor.done.map((d) => `${d.accountId}:${d.revision}`);
    const found = await tally.models.transactions.countDocuments({ _id: { $in: ids } });
    expect(found).toBe(ids.length);
    // The copies became the live collections: nothing is left beside them.
    const names = (await db().listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names.filter((n) => n.endsWith('__rebuild'))).toEqual([]);
    expect(await tally.models.checkpoints.countDocuments({ _id: /^rebuild:/ })).toBe(0);
  });

  it('resumes an interrupted rebuild from its checkpoint, leaving the live collection untouched until the switch', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '5.00' });
    for (let i = 0; i < 5; i++) await deposit(tally, accountId, '1.00');
    await tally.projector.progress.waitFor(await endOfAll(tally), 10_000);
    // A bug corrupted the live document: the kind of damage a rebuild repairs.
    await tally.models.accounts.updateOne({ _id: accountId }, { $set: { balance: 1 } });
    const before = await verifyLedger({ eventStore: tally.eventStore, models: tally.models });
    expect(before.differences.map(formatDifference).join('\n')).toContain(accountId);

    // Interrupted half-way: the copy holds part of the ledger, and the live one is as it was.
    const accounts = readModelProjections.find((p) => p.name === 'accounts')!;
    const interrupted = new ShadowBuilder(tally.eventStore, db(), accounts);
    await interrupted.prepare();
    await interrupted.catchUp({ until: (await endOfAll(tally)) / 2n });
    expect(interrupted.events).toBeGreaterThan(0);
    expect((await tally.models.accounts.findOne({ _id: accountId }))?.balance).toBe(1);

    const all = await tally.models.accounts.countDocuments();
    const result = await rebuildProjection({
      client: tally.eventStore,
      db: db(),
      projection: accounts,
    });
    // Only what the first attempt had not applied.
    expect(result.switchedBy).toBe('projector');
    expect(result.events).toBeGreaterThan(0);
    const total = interrupted.events + result.events;
    expect(result.events).toBeLessThan(total);
    expect(await tally.models.accounts.countDocuments()).toBe(all);
    expect((await tally.models.accounts.findOne({ _id: accountId }))?.balance).toBe(1000);
    await verifyClean();
  });

  it('switches by itself when no Tally runs, and refuses an unknown projection', async () => {
    const listed = await cli('--help');
    expect(listed.out.join('\n')).toMatch(
      /^ {2}rebuild +rebuild read models from the first event/m,
    );
    const help = await cli('rebuild', '--help');
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toContain('Usage: npm run tally -- rebuild [--projection NAME]');
    const unknown = await cli('rebuild', '--projection', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--projection must be one of accounts, transactions');

    const { accountId } = await openAccount(tally, {
      ownerId: randomUUID(),
      initialDeposit: '3.00',
    });
    await tally.projector.progress.waitFor(await endOfAll(tally), 10_000);
    await tally.close();
    const mongo = await new MongoClient(inject('mongoUrl')).connect();
    const client = EventStoreDBClient.connectionString(store.url);
    try {
      const result = await rebuildProjection({
        client,
        db: mongo.db(process.env.MONGODB_DB),
        projection: readModelProjections.find((p) => p.name === 'owners')!,
        offlineAfterMs: 0,
      });
      expect(result.switchedBy).toBe('this process');
      const rebuild = await new RebuildRequests(mongo.db(process.env.MONGODB_DB)).get('owners');
      expect(rebuild?.state).toBe('switched');
    } finally {
      await mongo.close();
      await client.dispose();
      tally = await startTestTally({ eventStoreUrl: store.url, mongoDb: process.env.MONGODB_DB! });
    }
    const owned = await tally.models.owners.findOne({ _id: accountId });
    expect(owned).toMatchObject({ transactionCount: 1, balance: 300 });
  });
});
