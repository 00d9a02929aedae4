import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** `npm start`'s entry point as its own process, as the benchmark runs Tally in both modes. */
export interface TallyProcess {
  pid: number;
  stop(): Promise<void>;
}

const ROOT = join(import.meta.dirname, '../..');

/**
 * Starts `node --import tsx src/main.ts` with `env` and resolves once `{ __typename }` is
 * answered. Without EVENTSTORE_URL/MONGODB_URL it starts its stand-ins itself (all-in-one, as
 * `npm start` does). LOG_LEVEL=warn: an info line per request would be measured as Tally's cost.
 * `nodeArgs` such as --cpu-prof go before the entry point.
 */
export async function startTallyProcess(
  env: Record<string, string> & { PORT: string },
  authorization: string,
  nodeArgs: string[] = [],
): Promise<TallyProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, ...benchNodeArgs(), '--import', 'tsx', 'src/main.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = once(child, 'exit');
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Tally exited with ${child.exitCode}`);
    const answered = await fetch(`http://127.0.0.1:${env.PORT}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: '{"query":"{ __typename }"}',
    }).then(
      (response) => response.ok,
      () => false,
    );
    if (answered) break;
    await sleep(100);
  }
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** BENCH_TALLY_NODE_ARGS: V8 or Node flags for Tally's process only, to compare tunings in one run. */
function benchNodeArgs(): string[] {
  return (process.env.BENCH_TALLY_NODE_ARGS ?? '').split(' ').filter(Boolean);
}
