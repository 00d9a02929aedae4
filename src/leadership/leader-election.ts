import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import type { LeaseTerm, MongoLease } from './lease.js';

export interface LeaderCallbacks {
  /** This instance now holds the lease: start the consumers, fenced with `term.token`. */
  elected(term: LeaseTerm): Promise<void>;
  /** The term ended (lost, expired, or stopping): stop the consumers before anything else. */
  deposed(term: LeaseTerm, reason: string): Promise<void>;
}

export interface LeaderElectionTiming {
  /** How often a follower tries to take the lease. */
  retryEveryMs: number;
  /** How often the leader renews it; a few renewals fit in the lease's time to live. */
  renewEveryMs: number;
  /** The leader steps down this long before its lease expires if it could not renew. */
  safetyMarginMs: number;
}

/**
 * Lease 8 s, renewed every 1.5 s (start to start), tried every second: a dead leader is replaced
 * within ~9 s (the goal is 10). A leader whose renewals stall for 6.5 s steps down. Under load a
 * single renewal took up to 3 s (the MongoDB stand-in busy with projector writes); with a 5 s
 * lease, or with a full interval slept after each renewal, the leader stepped down every ~13 s,
 * and every step-down restarts the consumers.
 */
export const DEFAULT_LEASE_TTL_MS = 8000;
export const DEFAULT_TIMING: LeaderElectionTiming = {
  retryEveryMs: 1000,
  renewEveryMs: 1500,
  safetyMarginMs: 1500,
};

/**
 * Keeps trying to hold the lease; while it does, the consumers run. A leader that cannot renew
 * steps down before its lease can expire (its own clock), so by the time another instance may
 * take over it has stopped writing; the fencing token covers a leader too slow to notice.
 */
export class LeaderElection {
  #term: LeaseTerm | undefined;
  #stopped = false;
  readonly #stopping = new AbortController();
  #loop: Promise<void> | undefined;
  #stepDownTimer: ReturnType<typeof setTimeout> | undefined;
  #transition: Promise<void> = Promise.resolve();

  constructor(
    private readonly lease: MongoLease,
    private readonly callbacks: LeaderCallbacks,
    private readonly logger: Logger,
    private readonly timing: LeaderElectionTiming = DEFAULT_TIMING,
  ) {}

  get term(): LeaseTerm | undefined {
    return this.#term;
  }

  get isLeader(): boolean {
    return this.#term !== undefined;
  }

  start(): void {
    this.#loop = this.run();
  }

  /** Stops competing; a leader stops its consumers and releases the lease for the next one. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    await this.#loop;
    const term = this.#term;
    if (!term) return;
    await this.stepDown(term, 'shutting down');
    await this.lease.release(term).catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.#stopped) {
      const started = performance.now();
      try {
        if (this.#term) await this.renew(this.#term);
        else await this.campaign();
      } catch (error) {
        if (this.#stopped) return;
        this.logger.warn({ err: error, lease: this.lease.name }, 'lease check failed');
      }
      const every = this.#term ? this.timing.renewEveryMs : this.timing.retryEveryMs;
      // Every `every` ms from the start of the last check, not after it: under load a renewal
      // took up to 3 s, and sleeping a full interval after it let the lease run out.
      const wait = Math.max(0, every - (performance.now() - started));
      await sleep(wait, undefined, { signal: this.#stopping.signal }).catch(() => undefined);
    }
  }

  private async campaign(): Promise<void> {
    const term = await this.lease.tryAcquire();
    if (!term || this.#stopped) return;
    this.#term = term;
    this.armStepDown(term);
    this.logger.info(
      { lease: this.lease.name, holder: term.holder, token: term.token },
      'elected leader: starting the projector and the processes',
    );
    // In the background, behind any earlier transition: the renewal loop must go on while the
    // consumers start. Awaited here, a start slower than the lease (a loaded machine, a long
    // catch-up) blocked every renewal, and the new leader stepped down before it had begun.
    void this.transition(async () => {
      try {
        await this.callbacks.elected(term);
      } catch (error) {
        this.logger.error({ err: error }, 'could not start the consumers; giving the lease up');
        // Already inside a transition: stop what started directly, not through another one.
        if (this.#term?.token === term.token) this.#term = undefined;
        clearTimeout(this.#stepDownTimer);
        await this.callbacks.deposed(term, 'consumers failed to start').catch(() => undefined);
        await this.lease.release(term).catch(() => undefined);
      }
    });
  }

  private async renew(term: LeaseTerm): Promise<void> {
    const started = performance.now();
    const renewed = await this.lease.renew(term);
    const tookMs = performance.now() - started;
    if (tookMs > this.timing.renewEveryMs) {
      this.logger.warn(
        { lease: this.lease.name, tookMs: Math.round(tookMs) },
        'slow lease renewal',
      );
    }
    if (this.#term !== term) return;
    if (!renewed) {
      await this.stepDown(term, 'the lease passed to another instance');
      return;
    }
    this.#term = renewed;
    this.armStepDown(renewed);
  }

  /** Steps down on its own clock before the lease expires, if no renewal came in time. */
  private armStepDown(term: LeaseTerm): void {
    clearTimeout(this.#stepDownTimer);
    const ms = term.expiresAt.getTime() - Date.now() - this.timing.safetyMarginMs;
    this.#stepDownTimer = setTimeout(
      () => {
        if (this.#term?.token === term.token)
          void this.stepDown(term, 'the lease could not be renewed');
      },
      Math.max(0, ms),
    );
    this.#stepDownTimer.unref?.();
  }

  private async stepDown(term: LeaseTerm, reason: string): Promise<void> {
    if (this.#term?.token !== term.token) return;
    this.#term = undefined;
    clearTimeout(this.#stepDownTimer);
    // Stepping down to shut down is routine; any other reason is worth an operator's look.
    const level = this.#stopped ? 'info' : 'warn';
    this.logger[level]({ lease: this.lease.name, token: term.token, reason }, 'no longer leader');
    await this.transition(() =>
      this.callbacks.deposed(term, reason).catch((error: unknown) => {
        this.logger.error({ err: error }, 'error while stopping the consumers');
      }),
    );
  }

  /** Starting and stopping the consumers never overlap. */
  private transition(step: () => Promise<void>): Promise<void> {
    const next = this.#transition.then(step);
    this.#transition = next.catch(() => undefined);
    return next;
  }
}
