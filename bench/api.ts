import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { type EventData, EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { createClient } from 'graphql-ws';
import { type AnyBulkWriteOperation, type Collection, MongoClient } from 'mongodb';
import WebSocket from 'ws';
import { rootLogger } from '../src/logger.js';
import { readModelProjections } from '../src/read/projections/index.js';
import { createProjector } from '../src/read/projector.js';
import { ensureIndexes, readModels } from '../src/read/read-models.js';
import { toRecordedEvent } from '../src/read/recorded-event.js';
import { freePort, startServerProcess } from '../test/support/server-process.js';
import type { Json } from '../test/support/test-tally.js';
import { startChildStore } from './api/child-stores.js';
import { fmt, percentile, throughput } from './api/measure.js';

/**
 * `npm run bench:api [-- --quick]`: Tally's own cost, each figure against a baseline measured
 * in the same run on the same stores (Tally and the stand-ins each in their own process, durable event log):
 *  - deposits/s over HTTP vs raw appendToStream, at concurrency 1, 16, 64;
 *  - mutation acknowledged -> subscription pushed latency under a steady load;
 *  - projector rebuild speed vs a raw bulkWrite of the same documents;
 *  - account query latency vs a raw findOne.
 */
const quick = process.argv.includes('--quick');
const SECONDS = quick ? 1.5 : 4;
const REBUILD_EVENTS = Number(process.env.BENCH_EVENTS ?? (quick ? 20_000 : 100_000));
const rows: string[][] = [];
const report = (...row: string[]) => {
  rows.push(row);
  console.error(`  ${row.join(' | ')}`);
};

const root = mkdtempSync(join(tmpdir(), 'tally-api-bench-'));
const eventStore = await startChildStore('eventstore', [
  '--port',
  '0',
  '--data-dir',
  join(root, 'es'),
]);
const mongoStore = await startChildStore('mongo', ['--port', '0']);
rootLogger.level = 'warn';
// Tally runs as it does in production: its own process, against the same stores.
const port = await freePort();
const tally = await startServerProcess({
  PORT: String(port),
  EVENTSTORE_URL: eventStore.url,
  MONGODB_URL: mongoStore.url,
  MONGODB_DB: 'bench',
  NODE_ENV: 'production',
});
const endpoint = `http://127.0.0.1:${port}/graphql`;
const readModelClient = new MongoClient(mongoStore.url);
await readModelClient.connect();
const accountsCollection = readModels(readModelClient.db('bench')).accounts;
const raw = EventStoreDBClient.connectionString(eventStore.url);

async function gql(query: string, variables: Record<string, unknown>) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Json; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
const OPEN = `mutation ($input: OpenAccountInput!) { openAccount(input: $input) { ... on AccountCommandSuccess { account { id } position } } }`;
const DEPOSIT = `mutation ($input: DepositMoneyInput!) { depositMoney(input: $input) { __typename ... on AccountCommandSuccess { account { revision } position } } }`;
async function openAccounts(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const data = await gql(OPEN, { input: { ownerId: randomUUID(), currency: 'USD' } });
    ids.push(data.openAccount.account.id);
  }
  return ids;
}

try {
  await raw.appendToStream(`warmup-${randomUUID()}`, jsonEvent({ type: 'Warm', data: {} }));
  console.error('deposits vs raw appends ...');
  for (const concurrency of [1, 16, 64]) {
    const appends = await throughput(concurrency, SECONDS * 1000, (worker, i) =>
      raw.appendToStream(
        `raw-${worker}-${i}`,
        jsonEvent({ type: 'MoneyDeposited', data: { amount: 1 } }),
      ),
    );
    const accounts = await openAccounts(concurrency);
    const deposits = await throughput(concurrency, SECONDS * 1000, (worker) =>
      gql(DEPOSIT, { input: { accountId: accounts[worker], amount: '1.00' } }),
    );
    report(
      `deposits over HTTP, concurrency ${concurrency}`,
      `${fmt(deposits)} /s`,
      `raw appendToStream ${fmt(appends)} /s`,
      `ratio ${fmt(deposits / appends, 2)}`,
    );
  }

  console.error('mutation -> subscription latency ...');
  const [probe] = await openAccounts(1);
  const loadAccounts = await openAccounts(4);
  const ws = createClient({ url: endpoint.replace('http', 'ws'), webSocketImpl: WebSocket });
  const pushed = new Map<number, number>();
  const waiting = new Map<number, () => void>();
  await new Promise<void>((ready, fail) => {
    ws.subscribe<{ balanceChanged: { revision: number } }>(
      {
        query: `subscription ($id: ID!) { balanceChanged(accountId: $id) { revision } }`,
        variables: { id: probe },
      },
      {
        next: ({ data }) => {
          const revision = data!.balanceChanged.revision;
          pushed.set(revision, performance.now());
          waiting.get(revision)?.();
          ready();
        },
        error: fail,
        complete: () => undefined,
      },
    );
  });
  let loading = true;
  const background = Promise.all(
    loadAccounts.map(async (accountId) => {
      while (loading) await gql(DEPOSIT, { input: { accountId, amount: '1.00' } });
    }),
  );
  const latencies: number[] = [];
  for (let i = 0; i < (quick ? 100 : 400); i++) {
    const data = await gql(DEPOSIT, { input: { accountId: probe, amount: '1.00' } });
    const acknowledged = performance.now();
    const revision = data.depositMoney.account.revision as number;
    if (!pushed.has(revision)) await new Promise<void>((resolve) => waiting.set(revision, resolve));
    latencies.push(Math.max(0, pushed.get(revision)! - acknowledged));
  }
  loading = false;
  await background;
  await ws.dispose();
  report(
    'mutation acknowledged -> balanceChanged pushed (4 writers busy)',
    `p50 ${fmt(percentile(latencies, 50), 1)} ms`,
    `p99 ${fmt(percentile(latencies, 99), 1)} ms`,
    '',
  );

  console.error('account query vs findOne ...');
  const queryTimes: number[] = [];
  const findTimes: number[] = [];
  const ACCOUNT = `query ($id: ID!) { account(id: $id) { id balance { amount currency } status revision updatedAt } }`;
  for (let i = 0; i < (quick ? 300 : 2000); i++) {
    let t = performance.now();
    await gql(ACCOUNT, { id: probe });
    queryTimes.push(performance.now() - t);
    t = performance.now();
    await accountsCollection.findOne({ _id: probe! });
    findTimes.push(performance.now() - t);
  }
  report(
    'account query over HTTP',
    `p50 ${fmt(percentile(queryTimes, 50), 2)} ms`,
    `p99 ${fmt(percentile(queryTimes, 99), 2)} ms`,
    `raw findOne p50 ${fmt(percentile(findTimes, 50), 2)} ms, p99 ${fmt(percentile(findTimes, 99), 2)} ms; ratio p50 ${fmt(percentile(queryTimes, 50) / percentile(findTimes, 50), 1)}`,
  );

  console.error(`projector rebuild of ${fmt(REBUILD_EVENTS)} events ...`);
  await benchRebuild();
} finally {
  await tally.stop();
  await readModelClient.close();
  await raw.dispose();
  await eventStore.stop();
  await mongoStore.stop();
  rmSync(root, { recursive: true, force: true });
}

console.log(
  `\nTally API — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}; Tally and the stand-ins each in their own process, durable event log\n`,
);
console.log('| measurement | result | baseline (same run) | ratio |');
console.log('| --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

/** Appends REBUILD_EVENTS deposits, then times a fresh projector from position 0 against a raw bulkWrite. */
async function benchRebuild(): Promise<void> {
  const accounts = 1000;
  const perAccount = Math.ceil(REBUILD_EVENTS / accounts);
  for (let a = 0; a < accounts; a++) {
    const accountId = randomUUID();
    const events: EventData[] = [
      jsonEvent({
        type: 'AccountOpened',
        data: { accountId, ownerId: accountId, currency: 'USD' },
      }),
    ];
    for (let i = 1; i < perAccount; i++) {
      events.push(
        jsonEvent({
          type: 'MoneyDeposited',
          data: { accountId, amount: 100, currency: 'USD', balanceAfter: 100 * i },
        }),
      );
    }
    await raw.appendToStream(`account-${accountId}`, events);
  }
  const mongo = new MongoClient(mongoStore.url);
  await mongo.connect();
  try {
    const models = readModels(mongo.db(`rebuild_${randomUUID().slice(0, 8)}`));
    await ensureIndexes(models);
    const projector = createProjector(raw, models, rootLogger);
    let started = performance.now();
    await projector.start();
    let last = 0n;
    for await (const resolved of raw.readAll({
      direction: 'backwards',
      fromPosition: 'end',
      maxCount: 1,
    })) {
      last = resolved.event?.position.commit ?? last;
    }
    await projector.progress.waitFor(last, 600_000);
    const rebuildSeconds = (performance.now() - started) / 1000;
    await projector.stop();
    let total = 0;
    for await (const resolved of raw.readAll({ fromPosition: 'start' })) {
      if (
        resolved.event?.streamId.startsWith('account-') ||
        resolved.event?.streamId.startsWith('transfer-')
      )
        total++;
    }

    // Baseline: the same write operations, built up front, sent as raw bulkWrites of 500.
    const target = readModels(mongo.db(`raw_${randomUUID().slice(0, 8)}`));
    await ensureIndexes(target);
    const operations = new Map<string, AnyBulkWriteOperation[]>();
    for await (const resolved of raw.readAll({ fromPosition: 'start' })) {
      const event = resolved.event;
      if (
        !event?.isJson ||
        !(event.streamId.startsWith('account-') || event.streamId.startsWith('transfer-'))
      )
        continue;
      const recorded = toRecordedEvent(event as never);
      for (const projection of readModelProjections) {
        const list = operations.get(projection.name) ?? [];
        list.push(...projection.project(recorded));
        operations.set(projection.name, list);
      }
    }
    started = performance.now();
    for (const [name, list] of operations) {
      for (let i = 0; i < list.length; i += 500) {
        const collection = target[name as 'accounts'] as unknown as Collection;
        await collection.bulkWrite(list.slice(i, i + 500), { ordered: true });
      }
    }
    const rawSeconds = (performance.now() - started) / 1000;
    report(
      `projector rebuild from position 0 (${fmt(total)} events)`,
      `${fmt(total / rebuildSeconds)} events/s`,
      `raw bulkWrite of the same writes ${fmt(total / rawSeconds)} events/s`,
      `ratio ${fmt(rawSeconds / rebuildSeconds, 2)}`,
    );
  } finally {
    await mongo.close();
  }
}
