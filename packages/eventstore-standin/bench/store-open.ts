import { join } from 'node:path';
import { FileStorage } from '../src/log/storage.js';
import { EventStore } from '../src/store/event-store.js';

/** Milliseconds to open (recover and index) the log in `dataDir`, measured in this process. */
export async function measureStoreOpen(dataDir: string): Promise<{ ms: number; events: number }> {
  const started = performance.now();
  const store = await EventStore.open(new FileStorage(join(dataDir, 'events.log')));
  const ms = performance.now() - started;
  const events = store.recovery.events;
  await store.close();
  return { ms, events };
}
