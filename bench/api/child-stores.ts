import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A stand-in CLI in its own process, as `npm run eventstore|mongo` runs it; resolves with its URL. */
export async function startChildStore(
  cli: 'eventstore' | 'mongo',
  args: string[],
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      // BENCH_STORE_CPU_PROF=DIR: V8 CPU profiles of the stand-ins too, written when they stop.
      ...(process.env.BENCH_STORE_CPU_PROF
        ? ['--cpu-prof', '--cpu-prof-dir', join(process.env.BENCH_STORE_CPU_PROF, cli)]
        : []),
      // BENCH_STORE_NODE_ARGS: any other V8/Node flags for both stand-ins (heap snapshots, GC).
      ...(process.env.BENCH_STORE_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      join(import.meta.dirname, `../../packages/${cli}-standin/src/cli.ts`),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${cli} exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
