import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { freePort } from '../support/server-process.js';

const CWD = new URL('../..', import.meta.url).pathname;

/** A log line of a Tally process: pino's JSON object. */
export type LogLine = Record<string, unknown> & { msg?: string };

/**
 * One real Tally server process (src/main.ts) on the given stores, whose JSON log lines can be
 * awaited: `waitFor(predicate)` resolves on the first line, past or future, that matches.
 */
export class TallyInstance {
  readonly lines: LogLine[] = [];
  readonly #waiters = new Set<{
    match: (line: LogLine) => boolean;
    resolve: (l: LogLine) => void;
  }>();
  readonly exited: Promise<unknown>;

  private constructor(
    readonly name: string,
    readonly port: number,
    readonly child: ChildProcess,
  ) {
    this.exited = once(child, 'exit');
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      this.lines.push(line);
      for (const waiter of this.#waiters) {
        if (waiter.match(line)) {
          this.#waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    });
  }

  static async start(name: string, env: Record<string, string>): Promise<TallyInstance> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: CWD,
      env: { ...process.env, VITEST: '', LOG_LEVEL: 'info', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const instance = new TallyInstance(name, port, child);
    await Promise.race([
      instance.waitFor((line) => String(line.msg).includes('Tally is listening')),
      instance.exited.then(() => {
        throw new Error(
          `${name} exited:\n${instance.lines.map((l) => JSON.stringify(l)).join('\n')}`,
        );
      }),
    ]);
    return instance;
  }

  waitFor(match: (line: LogLine) => boolean): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.add({ match, resolve }));
  }

  /** Resolves with the token of the term once this instance is elected leader. */
  async elected(after = 0): Promise<number> {
    const line = await this.waitFor(
      (l) =>
        l.msg === 'elected leader: starting the projector and the processes' &&
        Number(l.token) > after,
    );
    return Number(line.token);
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    this.child.kill(signal);
    await this.exited;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }
}
