import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { currentSchemaVersion } from '../src/events/registry.js';
import { Ledger } from '../src/write/ledger.js';
import { accountSnapshots } from '../src/write/snapshots.js';
import { startChildStore } from './api/child-stores.js';

/**
 * `npm run bench -- snapshots [--quick]`: the first command on an account after a restart (a
 * fresh Ledger: nothing cached) at 100, 10,000 and 100,000 events, with and without snapshots.
 * The event store stand-in runs in its own process, durable, as `npm start` runs it.
 * Goal: with snapshots, the 100,000-event case costs at most 2× the 100-event case.
 */
const quick = process.argv.includes('--quick');
const SIZES = [100, 10_000, 100_000];
const RUNS = quick ? 3 : 7;
const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const root = mkdtempSync(join(tmpdir(), 'tally-snapshot-bench-'));
const store = await startChildStore('eventstore', ['--port', '0', '--data-dir', root]);
const client = EventStoreDBClient.connectionString(store.url);
try {
  // Warm up connections and the JIT on a throwaway account, so the first size is not penalised.
  const warmUp = await accountWithEvents(1000);
  const warmSnapshots = accountSnapshots(client, { every: 100 });
  for (let i = 0; i < 5; i++) {
    await firstCommandAfterRestart(new Ledger(client), warmUp);
    await firstCommandAfterRestart(new Ledger(client, warmSnapshots), warmUp);
    await warmSnapshots.settled();
  }
  const rows: { size: number; without: number; with: number }[] = [];
  for (const size of SIZES) {
    const accountId = await accountWithEvents(size);
    const without = await medianOf(() => firstCommandAfterRestart(new Ledger(client), accountId));
    const snapshots = accountSnapshots(client, { every: 100 });
    // Whatever folds the account first (here, one command) leaves a snapshot for the next start.
    await firstCommandAfterRestart(new Ledger(client, snapshots), accountId);
    await snapshots.settled();
    const withSnapshots = await medianOf(() =>
      firstCommandAfterRestart(new Ledger(client, snapshots), accountId),
    );
    rows.push({ size, without, with: withSnapshots });
    console.error(`  ${size} events: ${fmt(without)} ms without, ${fmt(withSnapshots)} ms with`);
  }
  const base = rows[0]!;
  console.log(
    `\nFirst command after a restart — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${fmt(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, median of ${RUNS}\n`,
  );
  console.log(
    '| events in the stream | no snapshots | ratio to 100 | snapshots every 100 | ratio to 100 |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const row of rows) {
    console.log(
      `| ${row.size.toLocaleString('en-US')} | ${fmt(row.without)} ms | ${fmt(row.without / base.without)} | ${fmt(row.with)} ms | ${fmt(row.with / base.with)} |`,
    );
  }
  const worst = rows[rows.length - 1]!;
  const ratio = worst.with / base.with;
  console.log(
    `\nGoal (with snapshots, ${worst.size.toLocaleString('en-US')} events ≤ 2× 100 events): ${fmt(ratio, 2)}× — ${ratio <= 2 ? 'met' : 'NOT met'}`,
  );
} finally {
  await client.dispose();
  await store.stop();
  rmSync(root, { recursive: true, force: true });
}

/** An account stream of `size` events as Tally writes them: an opening, then deposits of 1.00. */
async function accountWithEvents(size: number): Promise<string> {
  const accountId = randomUUID();
  const metadata = () => ({
    actor: 'bench',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    commandId: randomUUID(),
    occurredAt: new Date().toISOString(),
    inputHash: '',
  });
  const events = [];
  for (let revision = 0; revision < size; revision++) {
    events.push(
      revision === 0
        ? jsonEvent({
            type: 'AccountOpened',
            data: { accountId, ownerId: randomUUID(), currency: 'USD' },
            metadata: { ...metadata(), schemaVersion: currentSchemaVersion('AccountOpened') },
          })
        : jsonEvent({
            type: 'MoneyDeposited',
            data: { accountId, amount: 100, currency: 'USD', balanceAfter: revision * 100 },
            metadata: { ...metadata(), schemaVersion: currentSchemaVersion('MoneyDeposited') },
          }),
    );
  }
  for (let i = 0; i < events.length; i += 1000) {
    await client.appendToStream(`account-${accountId}`, events.slice(i, i + 1000));
  }
  return accountId;
}

/** One deposit through a Ledger that has never seen the account; milliseconds. */
async function firstCommandAfterRestart(ledger: Ledger, accountId: string): Promise<number> {
  const started = performance.now();
  await ledger.depositMoney(
    { accountId, amount: '1.00' },
    { actor: 'bench', correlationId: randomUUID(), occurredAt: new Date().toISOString() },
  );
  return performance.now() - started;
}

async function medianOf(run: () => Promise<number>): Promise<number> {
  await run(); // warm-up: connections and JIT, not the fold cache (each run is a fresh Ledger)
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await run());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
