import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The stand-in as its own process, for tests that must kill it (SIGKILL) and start it again on
 * the same data directory: exported as `@tally/mongo-standin/process`.
 */
const PACKAGE = join(import.meta.dirname, '..');
const CLI = join(PACKAGE, 'src/cli.ts');

/** Runs `npm run mongo` as its own process; resolves with its connection string (first line). */
export function startMongoProcess(
  dataDir: string,
  args: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--port', '0', '--data-dir', dataDir, ...args],
    {
      // tsx resolves from the package, whatever directory the test runner started in.
      cwd: PACKAGE,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    },
  );
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    lines.once('line', (url) => resolve({ child, url }));
    child.once('exit', (code) => reject(new Error(`stand-in exited early with ${code}`)));
  });
}

/** SIGKILLs the process (no chance to flush anything) and resolves once it is gone. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
