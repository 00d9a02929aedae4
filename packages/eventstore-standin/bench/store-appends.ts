import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileStorage } from '../src/log/storage.js';
import { EventStore } from '../src/store/event-store.js';

/**
 * Single-event appends straight into the store (no gRPC, no client), to show what group commit
 * does on its own: appends per second and appends per fdatasync at a given concurrency.
 */
export async function storeAppendRate(
  dir: string,
  concurrency: number,
  durationMs: number,
): Promise<{ rate: number; perSync: number }> {
  mkdirSync(dir, { recursive: true });
  const store = await EventStore.open(new FileStorage(join(dir, 'events.log')));
  const syncsBefore = store.log.syncCount;
  let count = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() - started < durationMs) {
        await store.append(`store-c${concurrency}-w${worker}`, { kind: 'any' }, [
          {
            id: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'),
            type: 'Deposited',
            contentType: 'application/json',
            data: Buffer.from('{"amount":100}'),
            metadata: Buffer.alloc(0),
          },
        ]);
        count++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const syncs = store.log.syncCount - syncsBefore;
  await store.close();
  return { rate: count / seconds, perSync: count / Math.max(1, syncs) };
}
