import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * A port free a moment ago, chosen below the kernel's ephemeral range (Linux: 32768–60999).
 * A port the kernel handed out for `listen(0)` could be handed out again before the server
 * took it: the embedded stand-ins, which listen on port 0, once got the very port a test had
 * chosen for Tally, which then could not listen. Ports below the range are never handed out.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(candidate, '127.0.0.1', () => resolve(true));
    });
    if (!free) continue;
    server.close();
    await once(server, 'close');
    return candidate;
  }
}

const ENTRY = ['--import', 'tsx', 'src/main.ts'];
const CWD = new URL('../..', import.meta.url).pathname;

/** A development-mode token as `npm start` prints it: the principal and its header value. */
export interface PrintedToken {
  sub: string;
  authorization: string;
}

/**
 * Runs `npm start`'s entry point as its own process, as a user would, and resolves once it
 * logs that it is listening. stop() sends SIGTERM and waits for a clean exit. In development
 * mode (no AUTH_JWT_SECRET / AUTH_JWKS_URL) the tokens it prints are in `devTokens`.
 */
export async function startServerProcess(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ENTRY, {
    cwd: CWD,
    env: { ...process.env, VITEST: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const devTokens: Record<string, PrintedToken> = {};
  let lastRole: { role: string; sub: string } | undefined;
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  const lines = createInterface({ input: child.stdout! });
  const listening = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      output.push(line);
      const role = /^ {2}(\w+) +sub=(\S+)$/.exec(line);
      if (role) lastRole = { role: role[1]!, sub: role[2]! };
      const header = /^ {4}Authorization: (Bearer \S+)$/.exec(line);
      if (header && lastRole) {
        devTokens[lastRole.role] = { sub: lastRole.sub, authorization: header[1]! };
      }
      if (line.includes('Tally is listening')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`server exited with ${code}:\n${output.join('\n')}`)),
    );
  });
  await listening;
  return {
    output,
    devTokens,
    /** SIGKILL, as a crash or the OOM killer would: no shutdown code runs. */
    async kill(): Promise<void> {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    async stop(): Promise<number | null> {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
  };
}

/**
 * Runs the entry point expecting it to fail: resolves with its exit code, all it printed, and
 * how long it took. Kills it (and fails the caller's expectation) after `timeoutMs`.
 */
export async function runFailingServerProcess(env: Record<string, string>, timeoutMs = 20_000) {
  const started = performance.now();
  const child = spawn(process.execPath, ENTRY, {
    cwd: CWD,
    env: { ...process.env, VITEST: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    output += String(chunk);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output, ms: performance.now() - started };
}
