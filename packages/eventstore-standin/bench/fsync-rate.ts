import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The disk's own rate of small write + fdatasync pairs: the ceiling for un-batched appends. */
export function measureFdatasyncRate(dir: string, durationMs = 2000): number {
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const record = Buffer.alloc(200, 1);
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    writeSync(fd, record);
    fdatasyncSync(fd);
    count++;
  }
  const rate = count / ((performance.now() - started) / 1000);
  closeSync(fd);
  rmSync(path);
  return rate;
}
