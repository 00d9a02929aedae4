import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { startEmbeddedEventStore } from '@tally/eventstore-standin';
import { startEmbeddedMongo } from '@tally/mongo-standin';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';

const root = await mkdtemp(join(tmpdir(), 'tally-modes-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every file and directory under `dir`, with its permission bits. */
async function modes(dir: string): Promise<Array<{ path: string; mode: number; isDir: boolean }>> {
  const found = [{ path: dir, mode: (await stat(dir)).mode & 0o777, isDir: true }];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await modes(path)));
    else found.push({ path, mode: (await stat(path)).mode & 0o777, isDir: false });
  }
  return found;
}

describe('the stand-ins keep their data owner-only', () => {
  it('creates data directories 0700 and files 0600', async () => {
    const esDir = join(root, 'eventstore');
    const mongoDir = join(root, 'mongo');
    const store = await startEmbeddedEventStore({ host: '127.0.0.1', port: 0, dataDir: esDir });
    const mongo = await startEmbeddedMongo({ host: '127.0.0.1', port: 0, dataDir: mongoDir });
    const esClient = EventStoreDBClient.connectionString(store.url);
    const mongoClient = await new MongoClient(mongo.url).connect();
    try {
      await esClient.appendToStream('modes-1', jsonEvent({ type: 'Written', data: {} }));
      await mongoClient.db('modes').collection('written').insertOne({ written: true });
    } finally {
      await mongoClient.close();
      await esClient.dispose();
      await mongo.close();
      await store.close();
    }
    const all = [...(await modes(esDir)), ...(await modes(mongoDir))];
    expect(all.filter((f) => !f.isDir).length).toBeGreaterThan(0);
    for (const file of all) {
      expect(file.mode, file.path).toBe(file.isDir ? 0o700 : 0o600);
    }
  });
});
