import type { Worker } from 'node:worker_threads';
import type { WorkerBundle } from '../threads/worker-bundle.js';
import { endWorkerThread, startWorkerThread } from '../threads/worker-thread.js';
import { STAND_IN_NAMES, type StandInKind, type StandInOptions } from './stand-ins.js';
import type { FromStandIn, StandInWorkerData, ToStandIn } from './worker-messages.js';

/** A stand-in running in its own worker thread. */
export interface StandInWorker {
  readonly kind: StandInKind;
  readonly url: string;
  /** The worker's thread id, for diagnostics. */
  readonly threadId: number;
  /** Closes the stand-in (its data is flushed, its data directory released), then the thread. */
  close(): Promise<void>;
}

/** How long close() waits for a stand-in to flush before the thread is terminated anyway. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Starts one stand-in in a worker thread, so its work (parsing, matching, fsync bookkeeping)
 * runs on another core instead of Tally's event loop. `onCrash` is called once if the worker
 * fails or exits on its own after it started; a failure before it is ready rejects instead.
 */
export async function startStandInWorker(
  kind: StandInKind,
  options: StandInOptions,
  onCrash: (error: Error) => void,
): Promise<StandInWorker> {
  const name = STAND_IN_NAMES[kind];
  const worker = await startWorkerThread(import.meta.url, STAND_IN_BUNDLES[kind], {
    kind,
    options,
  } satisfies StandInWorkerData);
  let state: 'starting' | 'running' | 'closing' | 'closed' = 'starting';
  let closing: Promise<void> | undefined;

  return new Promise<StandInWorker>((resolve, reject) => {
    const fail = (error: Error) => {
      if (state === 'starting') {
        state = 'closed';
        reject(new Error(`The ${name} failed to start: ${error.message}`, { cause: error }));
      } else if (state === 'running') {
        state = 'closed';
        onCrash(new Error(`The ${name} stopped unexpectedly: ${error.message}`, { cause: error }));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (state !== 'closing') fail(new Error(`its thread exited with code ${code}`));
      state = 'closed';
    });
    worker.on('message', (message: FromStandIn) => {
      if (message.type !== 'ready' || state !== 'starting') return;
      state = 'running';
      resolve({
        kind,
        url: message.url,
        threadId: worker.threadId,
        close: () => {
          closing ??= closeWorker(worker, () => {
            state = 'closing';
          });
          return closing;
        },
      });
    });
  });
}

/** Asks the stand-in to close, waits for it (bounded), then ends the thread. */
function closeWorker(worker: Worker, markClosing: () => void): Promise<void> {
  markClosing();
  return endWorkerThread(
    worker,
    { type: 'close' } satisfies ToStandIn,
    'closed' satisfies FromStandIn['type'],
    CLOSE_TIMEOUT_MS,
    true,
  );
}

/** Each stand-in's worker: its own workspace package, and src/standins for the worker itself. */
const STAND_IN_BUNDLES: Record<StandInKind, WorkerBundle> = {
  eventstore: {
    name: 'eventstore',
    sources: ['src/standins', 'src/threads', 'packages/eventstore-standin/src'],
    ownPackage: '@tally/eventstore-standin',
  },
  mongo: {
    name: 'mongo',
    sources: ['src/standins', 'src/threads', 'packages/mongo-standin/src'],
    ownPackage: '@tally/mongo-standin',
  },
};
