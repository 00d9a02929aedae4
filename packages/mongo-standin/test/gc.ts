import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Memory tests need a full collection on demand; vitest's workers do not run with --expose-gc.
setFlagsFromString('--expose-gc');

/** A full garbage collection, now. */
export const collectGarbage = runInNewContext('gc') as () => void;

/** Heap in use after two full collections, so only what is still reachable counts. */
export function heapAfterGc(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
