import { fmt } from './measure.js';

/**
 * The performance goals, each judged against its baseline from the same run, so a reader
 * sees at once which are met instead of redoing the arithmetic from rounded figures. The API
 * benchmark judges latency, CPU and throughput; `npm run bench -- steady` judges RSS growth.
 */
export interface GoalVerdict {
  goal: string;
  mode: string;
  measured: string;
  limit: string;
  met: boolean;
}

/** A deposit at concurrency 1 within 1.5 × a raw append's latency, plus 1 ms, p50. */
export function depositLatencyGoal(mode: string, p50: number, rawAppendP50: number): GoalVerdict {
  const limit = 1.5 * rawAppendP50 + 1;
  return {
    goal: 'deposit p50 at concurrency 1 ≤ 1.5 × raw append p50 + 1 ms',
    mode,
    measured: `${fmt(p50, 2)} ms`,
    limit: `${fmt(limit, 2)} ms (raw ${fmt(rawAppendP50, 2)} ms)`,
    met: p50 <= limit,
  };
}

/** Tally's own CPU per deposit at concurrency 16, at most 1.2 ms (split: Tally's process alone). */
export function cpuPerDepositGoal(mode: string, tallyMicros: number): GoalVerdict {
  return {
    goal: "Tally's CPU per deposit at concurrency 16 ≤ 1,200 µs",
    mode,
    measured: `${fmt(tallyMicros)} µs`,
    limit: '1,200 µs',
    met: tallyMicros <= 1200,
  };
}

/** A p99 mutation latency at concurrency 32 under 100 ms (the issue asks it of split mode). */
export function mutationP99Goal(mode: string, p99: number): GoalVerdict {
  return {
    goal: 'mutation p99 on the mixed load at concurrency 32 < 100 ms',
    mode,
    measured: `${fmt(p99, 1)} ms`,
    limit: '100 ms',
    met: p99 < 100,
  };
}

/** Push p99 (mutation acknowledged → balanceChanged) within 2 × raw subscription delivery p99. */
export function pushLatencyGoal(
  mode: string,
  pushP99: number,
  rawDeliveryP99: number,
): GoalVerdict {
  return {
    goal: 'push p99 ≤ 2 × raw subscription delivery p99',
    mode,
    measured: `${fmt(pushP99, 1)} ms (${fmt(pushP99 / rawDeliveryP99, 1)}×)`,
    limit: `${fmt(2 * rawDeliveryP99, 1)} ms (raw ${fmt(rawDeliveryP99, 1)} ms)`,
    met: pushP99 <= 2 * rawDeliveryP99,
  };
}

/** `npm start` (stand-ins inside Tally's process) at least 0.9 × split's mixed throughput. */
export function allInOneThroughputGoal(
  opsPerSecond: number,
  splitOpsPerSecond: number,
): GoalVerdict {
  return {
    goal: 'all-in-one mixed throughput ≥ 0.9 × split',
    mode: 'all-in-one',
    measured: `${fmt(opsPerSecond)} ops/s (${fmt(opsPerSecond / splitOpsPerSecond, 2)}×)`,
    limit: `${fmt(0.9 * splitOpsPerSecond)} ops/s (split ${fmt(splitOpsPerSecond)})`,
    met: opsPerSecond >= 0.9 * splitOpsPerSecond,
  };
}

/** Each process's RSS may grow at most 10 % over the last 4 minutes of a 5-minute steady load. */
export function rssGrowthGoal(
  mode: string,
  process: string,
  percent: number,
  seconds: number,
): GoalVerdict {
  return {
    goal: `${process}: RSS growth over the last ${fmt(seconds)} s ≤ 10 %`,
    mode,
    measured: `${fmt(percent, 1)} %`,
    limit: '10 %',
    met: percent <= 10,
  };
}

/** The verdicts as a Markdown table, in the order they were judged. */
export function goalsTable(verdicts: readonly GoalVerdict[]): string {
  const rows = verdicts.map(
    (v) =>
      `| ${v.goal} | ${v.mode} | ${v.measured} | ${v.limit} | ${v.met ? 'met' : '**not met**'} |`,
  );
  return [
    '| goal | mode | measured | limit (same run) | verdict |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
