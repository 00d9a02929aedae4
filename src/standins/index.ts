import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { type StandInKind, type StandInOptions, startStandInHere } from './stand-ins.js';
import { type StandInWorker, startStandInWorker } from './start-in-worker.js';

export { STAND_IN_NAMES, type StandInKind } from './stand-ins.js';
export type { StandInWorker } from './start-in-worker.js';

export interface StandInsOptions {
  /** Which stand-ins to start: those whose store has no URL. */
  kinds: readonly StandInKind[];
  /** Each keeps its data in DATA_DIR/<kind>, as before they had threads of their own. */
  dataDir: string;
  /** The MongoDB stand-in's change history (STANDIN_CHANGE_HISTORY); its own default if unset. */
  changeHistory?: number;
  /** Called once, with a message naming the stand-in, if one stops on its own. */
  onCrash(error: Error): void;
  /**
   * false: start them on the calling thread, as before they had threads of their own
   * (STANDINS_THREADS=false): for a debugger, and to compare start-up times.
   */
  threads?: boolean;
}

export interface StandIns {
  /** The started stand-ins, by kind; a kind not asked for is absent. */
  readonly urls: Partial<Record<StandInKind, string>>;
  readonly workers: readonly StandInWorker[];
  /** Closes them all; each flushes its data first. */
  close(): Promise<void>;
}

/**
 * Starts the asked-for stand-ins together, each in its own worker thread on loopback. If one
 * fails to start, the others are closed again before the error is thrown.
 */
export async function startStandIns(options: StandInsOptions): Promise<StandIns> {
  if (options.kinds.length > 0) await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const started = await Promise.allSettled(
    options.kinds.map((kind) => {
      const standIn: StandInOptions = {
        host: '127.0.0.1',
        port: 0,
        dataDir: resolve(join(options.dataDir, kind)),
        ...(kind === 'mongo' ? { changeHistory: options.changeHistory } : {}),
      };
      return options.threads === false
        ? startOnThisThread(kind, standIn)
        : startStandInWorker(kind, standIn, options.onCrash);
    }),
  );
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const close = async () => {
    await Promise.all(workers.map((w) => w.close()));
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  return {
    urls: Object.fromEntries(workers.map((w) => [w.kind, w.url])),
    workers,
    close,
  };
}

async function startOnThisThread(
  kind: StandInKind,
  options: StandInOptions,
): Promise<StandInWorker> {
  const started = await startStandInHere(kind, options);
  return { kind, url: started.url, threadId: threadId, close: () => started.close() };
}
