import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { afterEach } from 'vitest';
import {
  type EmbeddedEventStore,
  type EmbeddedEventStoreOptions,
  startEmbeddedEventStore,
} from '../src/index.js';

export type StoreHandle = { store: EmbeddedEventStore; client: EventStoreDBClient };

/**
 * Stores of a test's own (started with `defaults`, optionally on a data directory), each with a
 * client; after every test they are closed and their directories removed. Registered before the
 * file's own hooks, so those (killing child processes, say) run first.
 */
export function ownStores(defaults: EmbeddedEventStoreOptions = {}) {
  const open: StoreHandle[] = [];
  const dirs: string[] = [];
  const stop = async (handle: StoreHandle) => {
    await handle.client.dispose();
    await handle.store.close();
    open.splice(open.indexOf(handle), 1);
  };
  afterEach(async () => {
    for (const handle of [...open]) await stop(handle);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    async start(dataDir?: string): Promise<StoreHandle> {
      const store = await startEmbeddedEventStore({ ...defaults, ...(dataDir ? { dataDir } : {}) });
      const handle = { store, client: EventStoreDBClient.connectionString(store.url) };
      open.push(handle);
      return handle;
    },
    stop,
    /** A fresh data directory, removed after the test. */
    freshDir(prefix = 'tally-es-'): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
  };
}
