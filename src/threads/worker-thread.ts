import { Worker } from 'node:worker_threads';
import { bundledWorker, type WorkerBundle } from './worker-bundle.js';

/**
 * Starts `worker.ts` beside `caller` (an `import.meta.url`) on a thread: as compiled JavaScript
 * directly, or, under tsx (`npm start`, the tests), bundled first (worker-bundle.ts says why).
 */
export async function startWorkerThread(
  caller: string,
  bundle: WorkerBundle,
  workerData: unknown,
): Promise<Worker> {
  if (!caller.endsWith('.ts')) return new Worker(new URL('./worker.js', caller), { workerData });
  const code = await bundledWorker(new URL('./worker.ts', caller), bundle);
  // No tsx flags: the bundle needs none, and they would load tsx into the worker for nothing.
  return new Worker(code, { workerData, execArgv: [] });
}

/**
 * Sends `request` and waits (at most `timeoutMs`) for the reply of type `done` or the thread's
 * exit, then ends the thread. With `rejectOnError`, an error of the thread meanwhile rejects.
 */
export async function endWorkerThread(
  worker: Worker,
  request: { type: string },
  done: string,
  timeoutMs: number,
  rejectOnError = false,
): Promise<void> {
  const ended = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    worker.on('message', (message: { type?: unknown }) => {
      if (message.type === done) resolve();
    });
    if (rejectOnError) worker.once('error', reject);
    worker.once('exit', () => resolve());
  });
  worker.postMessage(request);
  try {
    await ended;
  } finally {
    await worker.terminate();
  }
}
