import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { killHard, startMongoProcess } from '../src/process.js';

/**
 * A "majority" read must not return a write a crash can still undo. With a data directory a
 * `j: false` write is answered before the disk; a majority read that returned it answers only
 * once it is durable, so after a SIGKILL the document a client saw is still there.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('embedded mongo: majority reads with a data directory', () => {
  it('returns only what survives a SIGKILL, j: false writes included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mongo-majority-'));
    dirs.push(dir);
    const first = await startMongoProcess(dir);
    let client = new MongoClient(first.url);
    const coll = () => client.db('ledger').collection<{ _id: number }>('accounts');
    await coll().insertMany(
      Array.from({ length: 50 }, (_, i) => ({ _id: i })),
      { writeConcern: { w: 1, j: false } },
    );
    const seen = await coll()
      .find({}, { readConcern: { level: 'majority' } })
      .toArray();
    expect(seen).toHaveLength(50);
    await client.close();
    await killHard(first.child); // straight after the read: no clean flush
    const second = await startMongoProcess(dir);
    client = new MongoClient(second.url);
    try {
      expect(await coll().countDocuments()).toBe(50);
    } finally {
      await client.close();
      await killHard(second.child);
    }
  });
});
