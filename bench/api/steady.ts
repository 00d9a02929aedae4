import { goalsTable, rssGrowthGoal } from './goals.js';
import { fmt, percentile, runLoad } from './measure.js';
import {
  deposit,
  mixedKind,
  mixedOperation,
  openAccounts,
  waitForReadModel,
} from './operations.js';
import { cpuPerOperation, loadAverage, loadGenerator } from './proc-stats.js';
import { type Mode, startStack } from './setup.js';

/**
 * `npm run bench -- steady [--mode split|all-in-one] [--seconds 300] [--warmup 60]
 *  [--deposits-only] [--concurrency 32] [--cpu-prof DIR]`: a steady load for a long time, printing
 * every 30 s each process's RSS and CPU µs per operation. For the memory check (does RSS level
 * off?) and for CPU profiles of Tally under steady load. Not part of npm test.
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1]! : fallback;
const mode = option('--mode', 'split') as Mode;
const seconds = Number(option('--seconds', '300'));
const warmup = Number(option('--warmup', '60'));
const concurrency = Number(option('--concurrency', '32'));
const depositsOnly = args.includes('--deposits-only');
const cpuProf = args.includes('--cpu-prof') ? option('--cpu-prof', 'bench/profiles') : undefined;
const INTERVAL = 30;

const stack = await startStack(mode, cpuProf);
try {
  const { client, measured } = stack;
  const accounts = await openAccounts(client, concurrency);
  for (const id of accounts) await waitForReadModel(client, id);
  const operation = (worker: number, i: number) =>
    depositsOnly
      ? deposit(client, accounts[worker]!)
      : mixedOperation(client, accounts, worker, mixedKind(i));
  console.log(
    `${mode}, ${depositsOnly ? 'deposits' : 'mixed'} at concurrency ${concurrency}: warm-up ${warmup} s, then ${seconds} s`,
  );
  if (warmup > 0) await runLoad(concurrency, warmup * 1000, operation);
  const rssAfterWarmup = measured.map((p) => p.rss());
  console.log(
    `after warm-up: RSS ${measured.map((p, i) => `${p.name} ${fmt(rssAfterWarmup[i]!)} MiB`).join(', ')}`,
  );
  // RSS at the end of each interval; the first sample is the warm-up's end.
  const samples = [{ time: 0, rss: rssAfterWarmup }];
  for (let t = 0; t < seconds; t += INTERVAL) {
    const length = Math.min(INTERVAL, seconds - t);
    const result = await cpuPerOperation(measured, () =>
      runLoad(concurrency, length * 1000, operation),
    );
    const rss = measured.map((p) => p.rss());
    samples.push({ time: t + length, rss });
    console.log(
      `t=${t + length}s ${fmt(result.perSecond)} ops/s p99 ${fmt(percentile(result.latencies, 99))} ms | ` +
        measured
          .map((p, i) => `${p.name} ${fmt(result.cpuPerOp.get(p.name)!)} µs/op ${fmt(rss[i]!)} MiB`)
          .join(', ') +
        ` | load ${fmt(loadAverage(), 1)}`,
    );
  }
  // The issue's rule: over the last 4 minutes, RSS may grow at most 10%. From the first sample
  // at most 240 s before the end (the warm-up's end, in a run shorter than that).
  const to = samples.at(-1)!;
  const from = samples.find((sample) => to.time - sample.time <= 240)!;
  const growth = measured.map((p, i) => ({
    name: p.name,
    percent: (to.rss[i]! / from.rss[i]! - 1) * 100,
  }));
  console.log(
    `RSS growth over the last ${fmt(to.time - from.time)} s: ` +
      growth.map((g) => `${g.name} ${fmt(g.percent, 1)}%`).join(', '),
  );
  // The load generator is the benchmark itself, not a process the goal is about.
  const judged = growth.filter((g) => g.name !== loadGenerator.name);
  if (seconds < 300 || warmup < 60) {
    console.log('\nThe rule is 5 minutes after a 1-minute warm-up: these verdicts are indicative.');
  }
  console.log(
    `\n${goalsTable(judged.map((g) => rssGrowthGoal(mode, g.name, g.percent, to.time - from.time)))}`,
  );
} finally {
  await stack.stop();
}
