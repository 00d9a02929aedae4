import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Data directories held by stores in this process. */
const heldHere = new Set<string>();

/**
 * Takes the data directory for this process: two writers appending to one log would interleave
 * records and corrupt it. A lock left by a process that died (SIGKILL, power loss) is taken over.
 * Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const key = realpathSync(dir);
  if (heldHere.has(key))
    throw new Error(`The data directory ${dir} is already open in this process`);
  const path = join(dir, 'LOCK');
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(`The data directory ${dir} is in use by process ${holder}`);
    }
    writeFileSync(path, String(process.pid), { mode: 0o600 });
  }
  heldHere.add(key);
  return () => {
    heldHere.delete(key);
    rmSync(path, { force: true });
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
