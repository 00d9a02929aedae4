import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../logger.js';
import { endWorkerThread, startWorkerThread } from '../../threads/worker-thread.js';
import { CheckpointAheadError } from '../checkpointed-subscription.js';
import { Progress } from '../progress.js';
import type { RunningProjector } from '../projector.js';
import type { FromProjector, ProjectorWorkerData, ToProjector } from './messages.js';

/** The thread's bundle holds Tally's sources (the projector and what it imports). */
const PROJECTOR_BUNDLE = { name: 'projector', sources: ['src'] };
/** How long stop() waits for the thread to save its checkpoint before ending it anyway. */
const STOP_TIMEOUT_MS = 10_000;
/** Waits before starting a thread again after it ended on its own (then the last, repeated). */
const RESTART_DELAYS_MS = [200, 1000, 2000, 5000];

/**
 * The read-model projector on a thread of its own, so that applying events (decoding them,
 * building and sending MongoDB writes) never waits behind GraphQL requests on the main event
 * loop, and requests never wait behind it: with the projector on the main thread, a deposit at
 * concurrency 1 waited behind the projection of the previous one (docs/benchmarks.md).
 *
 * The thread runs the same projector, with its own clients; its progress is relayed here, in
 * order, so queries that wait for their writes (consistentWith) wait on `progress` as before.
 * If the thread ends on its own, the error is logged and a new thread resumes from the stored
 * checkpoint (projections are idempotent, so re-applied events change nothing).
 */
export class ThreadedProjector implements RunningProjector {
  readonly progress = new Progress();
  #worker: Worker | undefined;
  #stopping = false;
  #restarts = 0;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly data: ProjectorWorkerData,
    private readonly logger: Logger,
    /** Told each time a thread that ended on its own is replaced (a metric counts them). */
    private readonly onRestart: () => void = () => {},
  ) {}

  /** The running thread, while there is one: for diagnostics (and the tests, which end it). */
  get thread(): Worker | undefined {
    return this.#worker;
  }

  /** Starts the thread; rejects with the projector's own error when it cannot start. */
  async start(): Promise<void> {
    this.#stopping = false;
    await this.launch();
  }

  private async launch(): Promise<void> {
    const worker = await startWorkerThread(import.meta.url, PROJECTOR_BUNDLE, this.data);
    // stop() came while the thread was being made (a restart's): it must not run unowned.
    if (this.#stopping) {
      await worker.terminate();
      return;
    }
    this.#worker = worker;
    await new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: FromProjector) => {
        switch (message.type) {
          case 'advance':
            return this.progress.advance(message.position);
          case 'doubt':
            return this.progress.doubt();
          case 'rewind':
            return this.progress.rewind(message.position);
          case 'started':
            started = true;
            this.#restarts = 0;
            return resolve();
          case 'failed':
            return reject(failureOf(message));
        }
      });
      const ended = (error: Error) => {
        if (!started) return reject(error);
        if (this.#worker === worker && !this.#stopping) this.restartAfter(error);
      };
      worker.on('error', ended);
      worker.on('exit', (code) =>
        ended(new Error(`the projector's thread exited with code ${code}`)),
      );
    });
  }

  /** Asks the thread to save its checkpoint and stop, then ends it. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    await endWorkerThread(
      worker,
      { type: 'stop' } satisfies ToProjector,
      'stopped' satisfies FromProjector['type'],
      STOP_TIMEOUT_MS,
    );
  }

  private restartAfter(error: Error): void {
    this.#worker = undefined;
    this.onRestart();
    const delay = RESTART_DELAYS_MS[Math.min(this.#restarts++, RESTART_DELAYS_MS.length - 1)]!;
    this.logger.error(
      { err: error, restartInMs: delay },
      "the projector's thread stopped unexpectedly; starting a new one from the stored checkpoint",
    );
    this.#restartTimer = setTimeout(() => {
      if (this.#stopping) return;
      this.launch().catch((failure: unknown) => {
        if (!this.#stopping) this.restartAfter(failure as Error);
      });
    }, delay);
  }
}

/** The thread's error on this side: a checkpoint ahead of the store keeps its class, as callers test for it. */
function failureOf(message: Extract<FromProjector, { type: 'failed' }>): Error {
  const error =
    message.name === 'CheckpointAheadError'
      ? new CheckpointAheadError(message.message)
      : Object.assign(new Error(message.message), { name: message.name });
  if (message.stack) error.stack = message.stack;
  return error;
}
