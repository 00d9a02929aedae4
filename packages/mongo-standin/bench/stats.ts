import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Runs `op` `samples` times (after a warm-up) and returns the sorted latencies in microseconds. */
export async function sampleLatency(
  samples: number,
  op: (i: number) => Promise<unknown>,
): Promise<number[]> {
  for (let i = 0; i < Math.min(200, samples); i++) await op(i);
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await op(i);
    out.push((performance.now() - t0) * 1000);
  }
  return out.sort((a, b) => a - b);
}

/** A full garbage collection, so heap measurements count live objects only. */
export const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
})();

export function liveBytes(): number {
  collectGarbage();
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
