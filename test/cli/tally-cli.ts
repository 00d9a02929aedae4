import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * Runs `npm run tally -- <args>`'s entry point as its own process, as an operator would, with
 * exactly the store variables given (none inherited), and returns its exit code and output.
 */
export async function runTallyCli(args: string[], stores: Record<string, string> = {}) {
  const env = { ...process.env };
  for (const name of ['EVENTSTORE_URL', 'MONGODB_URL', 'MONGODB_DB']) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...env, ...stores },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  return { code: code as number, lines: stdout.trim().split('\n'), stdout, stderr };
}
