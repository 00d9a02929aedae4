/** What a closed-loop load left: operations done, their rate, and each one's latency in ms. */
export interface LoadResult {
  operations: number;
  perSecond: number;
  latencies: number[];
}

/** Runs `operation` from `concurrency` workers, each back to back, for `durationMs`. */
export async function runLoad(
  concurrency: number,
  durationMs: number,
  operation: (worker: number, iteration: number) => Promise<unknown>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t = performance.now();
        await operation(worker, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { operations: latencies.length, perSecond: latencies.length / seconds, latencies };
}

/** Runs `operation` for `durationMs` from `concurrency` workers; operations per second. */
export async function throughput(
  concurrency: number,
  durationMs: number,
  operation: (worker: number, iteration: number) => Promise<unknown>,
): Promise<number> {
  return (await runLoad(concurrency, durationMs, operation)).perSecond;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
