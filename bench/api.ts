import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { jsonEvent } from '@eventstore/db-client';
import { readModels } from '../src/read/read-models.js';
import {
  allInOneThroughputGoal,
  cpuPerDepositGoal,
  depositLatencyGoal,
  type GoalVerdict,
  goalsTable,
  mutationP99Goal,
  pushLatencyGoal,
} from './api/goals.js';
import { fmt, percentile, runLoad } from './api/measure.js';
import {
  deposit,
  type MixedKind,
  mixedKind,
  mixedOperation,
  openAccounts,
  queryAccount,
  waitForReadModel,
} from './api/operations.js';
import { cpuPerOperation, loadAverage } from './api/proc-stats.js';
import { pushLatency, rawSubscriptionDelivery } from './api/push-latency.js';
import { benchRebuild } from './api/rebuild.js';
import { type BenchStack, type Mode, startStack } from './api/setup.js';

/**
 * `npm run bench -- api [--quick] [--mode split|all-in-one] [--cpu-prof]`: Tally's own cost,
 * each figure against a baseline measured in the same run, in two modes:
 *  - split: the EventStoreDB and MongoDB stand-ins as separate processes, Tally against them;
 *  - all-in-one: `npm start` with no store URLs, the stand-ins started by Tally itself.
 * Tally runs as in production (NODE_ENV=production, HS256 bearer tokens, no mutation limit to
 * speak of). Per process it prints CPU µs per operation (from /proc/<pid>/stat) and RSS at the
 * start and end, the load generator's own CPU per request beside them, and the load average.
 * --cpu-prof writes Tally's V8 CPU profiles to bench/profiles/ (open in Chrome DevTools).
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const cpuProf = args.includes('--cpu-prof');
const modeArg = args[args.indexOf('--mode') + 1];
const modes = (args.includes('--mode') ? [modeArg] : ['split', 'all-in-one']) as Array<
  'split' | 'all-in-one'
>;
const SECONDS = Number(process.env.BENCH_SECONDS ?? (quick ? 1.5 : 5));
const MIXED_SECONDS = quick ? 3 : 10;
const WARMUP_SECONDS = quick ? 3 : 15;
const REBUILD_EVENTS = Number(process.env.BENCH_EVENTS ?? (quick ? 0 : 50_000));
const CONCURRENCIES = [1, 16, 64];
const MIXED_CONCURRENCY = 32;

type Row = string[];
const tables = new Map<string, Row[]>();
/** Baselines measured in split mode, which runs first; all-in-one figures are compared to them. */
const baseline = new Map<string, number>();
/** The issue's goals, judged as each measurement comes in. */
const verdicts: GoalVerdict[] = [];
const started = performance.now();

for (const mode of modes) {
  const rows: Row[] = [];
  tables.set(mode, rows);
  await runMode(mode, rows);
}
printReport();
console.error(`\nbench finished in ${fmt((performance.now() - started) / 1000)} s`);

/**
 * Tally's push (mutation acknowledged → balanceChanged delivered) against the raw store's
 * subscription delivery, each while `writers` other writers are busy. The raw figure is measured
 * in split mode only, where the stores are reachable, and kept for all-in-one.
 */
async function measurePush(
  stack: BenchStack,
  writers: number,
  samples: number,
): Promise<{ row: Row; p99: number; deliveryP99: number }> {
  const load = writers === 0 ? 'no other load' : `${writers} writers busy`;
  console.error(`push latency, ${load} ...`);
  if (stack.raw) {
    const delivery = await rawSubscriptionDelivery(stack.raw, samples, writers);
    baseline.set(`delivery p99 ${writers}`, percentile(delivery, 99));
    baseline.set(`delivery p50 ${writers}`, percentile(delivery, 50));
  }
  const pushes = await pushLatency(
    stack.endpoint,
    stack.client,
    stack.authorization,
    samples,
    writers,
  );
  const p99 = percentile(pushes, 99);
  const deliveryP99 = baseline.get(`delivery p99 ${writers}`) ?? Number.NaN;
  const deliveryP50 = baseline.get(`delivery p50 ${writers}`) ?? Number.NaN;
  const missed = pushes.missed ? `; ${pushes.missed} never delivered within 30 s` : '';
  const row: Row = [
    `mutation acknowledged → balanceChanged delivered, ${load}`,
    `p50 ${fmt(percentile(pushes, 50), 1)} ms, p99 ${fmt(p99, 1)} ms${missed}`,
    `raw append sent → subscription delivery p50 ${fmt(deliveryP50, 1)} ms, p99 ${fmt(deliveryP99, 1)} ms`,
    `p99 ${fmt(p99 / deliveryP99, 1)}×`,
    '',
    fmt(loadAverage(), 1),
  ];
  return { row, p99, deliveryP99 };
}

async function runMode(mode: Mode, rows: Row[]): Promise<void> {
  console.error(`\n== ${mode} ==`);
  const stack = await startStack(
    mode,
    cpuProf ? join(import.meta.dirname, 'profiles', mode) : undefined,
  );
  try {
    const { client, measured, raw, mongo, mongoUrl } = stack;
    const rssAtStart = new Map(measured.map((p) => [p.name, p.rss()]));
    // Warm-up: every path the phases take (JIT, connection pools, caches), so that 5-s phases
    // measure steady state rather than the compiler: the mixed load at concurrency 8.
    const warm = await openAccounts(client, 8);
    for (const id of warm) await waitForReadModel(client, id);
    await runLoad(8, WARMUP_SECONDS * 1000, (worker, i) =>
      mixedOperation(client, warm, worker, mixedKind(i)),
    );

    const cpuColumns = (cpuPerOp: Map<string, number>) =>
      measured.map((p) => `${p.name} ${fmt(cpuPerOp.get(p.name) ?? 0)}`).join(', ');

    console.error('deposits vs raw appends ...');
    for (const concurrency of CONCURRENCIES) {
      if (raw) {
        const appends = await runLoad(concurrency, SECONDS * 1000, (worker, i) =>
          raw.appendToStream(
            `raw-${randomUUID().slice(0, 8)}-${worker}-${i}`,
            jsonEvent({ type: 'MoneyDeposited', data: { amount: 1 } }),
          ),
        );
        baseline.set(`append ${concurrency}`, appends.perSecond);
        baseline.set(`append p50 ${concurrency}`, percentile(appends.latencies, 50));
      }
      const accounts = await openAccounts(client, concurrency);
      const result = await cpuPerOperation(measured, () =>
        runLoad(concurrency, SECONDS * 1000, (worker) => deposit(client, accounts[worker]!)),
      );
      const appends = baseline.get(`append ${concurrency}`) ?? Number.NaN;
      const appendP50 = baseline.get(`append p50 ${concurrency}`) ?? Number.NaN;
      if (mode === 'split') baseline.set(`deposits ${concurrency}`, result.perSecond);
      if (concurrency === 1) {
        verdicts.push(depositLatencyGoal(mode, percentile(result.latencies, 50), appendP50));
      }
      // In all-in-one mode Tally's process holds the stand-ins too, so only split can tell.
      const tallyCpu = result.cpuPerOp.get('Tally');
      if (concurrency === 16 && mode === 'split' && tallyCpu !== undefined) {
        verdicts.push(cpuPerDepositGoal(mode, tallyCpu));
      }
      rows.push([
        `deposits, concurrency ${concurrency}`,
        `${fmt(result.perSecond)} /s, p50 ${fmt(percentile(result.latencies, 50), 1)} ms, p99 ${fmt(percentile(result.latencies, 99), 1)} ms`,
        `raw appendToStream ${fmt(appends)} /s, p50 ${fmt(appendP50, 1)} ms`,
        `${fmt(result.perSecond / appends, 2)} of raw; p50 ${fmt(percentile(result.latencies, 50) / appendP50, 1)}×`,
        cpuColumns(result.cpuPerOp),
        fmt(loadAverage(), 1),
      ]);
      console.error(`  ${rows.at(-1)!.join(' | ')}`);
    }

    console.error(`mixed load at concurrency ${MIXED_CONCURRENCY} ...`);
    const accounts = await openAccounts(client, MIXED_CONCURRENCY);
    for (const id of accounts) await waitForReadModel(client, id);
    const latenciesByKind = new Map<MixedKind, number[]>();
    const mixed = await cpuPerOperation(measured, () =>
      runLoad(MIXED_CONCURRENCY, MIXED_SECONDS * 1000, async (worker, i) => {
        const kind = mixedKind(i);
        const t = performance.now();
        await mixedOperation(client, accounts, worker, kind);
        const ofKind = latenciesByKind.get(kind) ?? [];
        ofKind.push(performance.now() - t);
        latenciesByKind.set(kind, ofKind);
      }),
    );
    const mutationLatencies = [...latenciesByKind]
      .filter(([kind]) => kind !== 'query')
      .flatMap(([, latencies]) => latencies);
    // Which kind makes the tail: a transfer appends twice (the debit, then its own stream).
    const p99Of = (kind: MixedKind) => fmt(percentile(latenciesByKind.get(kind) ?? [], 99), 1);
    if (mode === 'split') baseline.set('mixed', mixed.perSecond);
    const splitMixed = baseline.get('mixed') ?? Number.NaN;
    if (mode === 'split') verdicts.push(mutationP99Goal(mode, percentile(mutationLatencies, 99)));
    else verdicts.push(allInOneThroughputGoal(mixed.perSecond, splitMixed));
    rows.push([
      `mixed: 40% deposits, 10% withdrawals, 10% transfers, 40% account queries, concurrency ${MIXED_CONCURRENCY}`,
      `${fmt(mixed.perSecond)} ops/s; mutations p99 ${fmt(percentile(mutationLatencies, 99), 1)} ms (deposits ${p99Of('deposit')}, withdrawals ${p99Of('withdrawal')}, transfers ${p99Of('transfer')}; queries ${p99Of('query')})`,
      mode === 'split' ? '' : `split mode ${fmt(splitMixed)} ops/s`,
      mode === 'split' ? '' : `${fmt(mixed.perSecond / splitMixed, 2)} of split`,
      cpuColumns(mixed.cpuPerOp),
      fmt(loadAverage(), 1),
    ]);
    console.error(`  ${rows.at(-1)!.join(' | ')}`);

    const busy = await measurePush(stack, 4, quick ? 100 : 400);
    verdicts.push(pushLatencyGoal(mode, busy.p99, busy.deliveryP99));
    rows.push(busy.row);
    console.error(`  ${rows.at(-1)!.join(' | ')}`);
    // The same two paths with nothing else running: what the push's own steps cost (the
    // projection's journaled write, then the change stream) before any load is added.
    rows.push((await measurePush(stack, 0, quick ? 50 : 200)).row);
    console.error(`  ${rows.at(-1)!.join(' | ')}`);

    console.error('account query vs findOne ...');
    const [probe] = await openAccounts(client, 1);
    await waitForReadModel(client, probe!);
    const queries: number[] = [];
    const finds: number[] = [];
    const accountsCollection = mongo ? readModels(mongo.db('bench')).accounts : undefined;
    for (let i = 0; i < (quick ? 300 : 1500); i++) {
      let t = performance.now();
      await queryAccount(client, probe!);
      queries.push(performance.now() - t);
      if (accountsCollection) {
        t = performance.now();
        await accountsCollection.findOne({ _id: probe! });
        finds.push(performance.now() - t);
      }
    }
    if (finds.length) baseline.set('findOne p50', percentile(finds, 50));
    if (finds.length) baseline.set('findOne p99', percentile(finds, 99));
    const findP50 = baseline.get('findOne p50') ?? Number.NaN;
    rows.push([
      '`account` query, one at a time',
      `p50 ${fmt(percentile(queries, 50), 2)} ms, p99 ${fmt(percentile(queries, 99), 2)} ms`,
      `raw findOne p50 ${fmt(findP50, 2)} ms, p99 ${fmt(baseline.get('findOne p99') ?? Number.NaN, 2)} ms`,
      `p50 ${fmt(percentile(queries, 50) / findP50, 1)}×`,
      '',
      fmt(loadAverage(), 1),
    ]);
    console.error(`  ${rows.at(-1)!.join(' | ')}`);

    rows.push([
      'RSS at start → end (MiB)',
      measured.map((p) => `${p.name} ${fmt(rssAtStart.get(p.name)!)} → ${fmt(p.rss())}`).join(', '),
      '',
      '',
      '',
      fmt(loadAverage(), 1),
    ]);

    if (raw && mongoUrl && REBUILD_EVENTS > 0) {
      console.error(`projector rebuild of ${fmt(REBUILD_EVENTS)} events ...`);
      rows.push([
        ...(await benchRebuild(raw, mongoUrl, REBUILD_EVENTS)),
        '',
        fmt(loadAverage(), 1),
      ]);
    }
  } finally {
    await stack.stop();
  }
}

function printReport() {
  console.log(
    `\nTally API — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}${quick ? ', --quick' : ''}`,
  );
  for (const [mode, rows] of tables) {
    console.log(
      `\n### ${mode === 'split' ? 'Split: Tally, the event store stand-in and the MongoDB stand-in each in their own process' : 'All-in-one: `npm start`, the stand-ins on worker threads of the Tally process'}\n`,
    );
    console.log(
      '| measurement | result | baseline (same run) | ratio | CPU µs per operation | load avg |',
    );
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  }
  console.log('\n### The goals this run can judge (RSS growth: `npm run bench -- steady`)\n');
  // 1.5-s phases after a 3-s warm-up still measure the JIT and the first GCs: a smoke test.
  if (quick) console.log('With --quick these verdicts are only indicative: judge a full run.\n');
  console.log(goalsTable(verdicts));
}
