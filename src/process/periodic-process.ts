import type { Logger } from '../logger.js';

/**
 * A process that acts on time rather than on events: every `intervalMs` it runs one pass,
 * which looks at the clock it was given and does what is due. A pass is idempotent (every
 * command it sends has a deterministic id), so passes that overlap after a restart, or run on
 * several instances, repeat nothing. Tests call runOnce() after moving their injected clock,
 * and never wait for the timer.
 */
export class PeriodicProcess {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;

  constructor(
    readonly name: string,
    private readonly pass: () => Promise<number>,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  /** One pass now; resolves with how many commands changed the ledger. Passes never overlap. */
  runOnce(): Promise<number> {
    this.#running ??= this.pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(async () => {
      try {
        await this.runOnce();
      } catch (error) {
        this.logger.error({ err: error }, `${this.name}: pass failed; the next one retries`);
      }
      this.#schedule();
    }, this.intervalMs);
    this.#timer.unref();
  }
}
