import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Decimal128, type Document, Double, Long, MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { startEmbeddedMongo } from '../src/index.js';
import { useDataDirs } from './support.js';

const dataDir = useDataDirs('tally-mongo-');

async function withServer<T>(dir: string, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const server = await startEmbeddedMongo({ port: 0, dataDir: dir });
  const client = new MongoClient(server.url);
  try {
    return await fn(client);
  } finally {
    await client.close();
    await server.close();
  }
}

/** Runs `npm run mongo` as its own process; resolves with its connection string. */
async function startCli(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '../src/cli.ts'),
      '--port',
      '0',
      '--data-dir',
      dir,
    ],
    {
      // tsx resolves from the package, whatever directory the test runner started in.
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const [url] = (await once(lines, 'line')) as [string];
  return { child, url };
}

describe('embedded mongo: persistence with a data directory', () => {
  it('keeps documents, their BSON types and unique indexes across a restart', async () => {
    const dir = dataDir();
    await withServer(dir, async (client) => {
      const c = client.db('tally').collection<{ _id: string } & Document>('accounts');
      await c.createIndex({ email: 1 }, { unique: true });
      await c.insertMany([
        {
          _id: 'a',
          email: 'a@x',
          long: Long.fromString('9007199254740993'),
          dbl: new Double(2),
          dec: Decimal128.fromString('100.50'),
          at: new Date(1),
        },
        { _id: 'b', email: 'b@x', n: 1 },
        { _id: 'c', email: 'c@x' },
      ]);
      await c.updateOne({ _id: 'b' }, { $inc: { n: 41 } });
      await c.deleteOne({ _id: 'c' });
    });
    await withServer(dir, async (client) => {
      const c = client.db('tally').collection<{ _id: string } & Document>('accounts');
      const docs = await c.find({}, { promoteValues: false }).sort({ _id: 1 }).toArray();
      expect(docs.map((d) => d._id)).toEqual(['a', 'b']);
      const a = docs[0]!;
      expect(a.long._bsontype).toBe('Long');
      expect(a.long.toString()).toBe('9007199254740993');
      expect(a.dbl._bsontype).toBe('Double');
      expect(a.dec.toString()).toBe('100.50');
      expect(docs[1]!.n.valueOf()).toBe(42);
      await expect(c.insertOne({ _id: 'z', email: 'a@x' })).rejects.toMatchObject({ code: 11000 });
    });
  });

  it('after a crash, reads the journal up to a torn last record and takes over the stale lock', async () => {
    const dir = dataDir();
    const crashed = await startCli(dir);
    const client = new MongoClient(crashed.url);
    await client
      .db('t')
      .collection('c')
      .insertOne({ _id: 1 as never, kept: true });
    crashed.child.kill('SIGKILL');
    await once(crashed.child, 'exit');
    await client.close(true);
    // The crash hit in the middle of the next record: a frame header promising more bytes than follow.
    appendFileSync(join(dir, 'journal.bin'), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5, 6]));
    await withServer(dir, async (c) => {
      expect(
        await c
          .db('t')
          .collection('c')
          .findOne({ _id: 1 as never }),
      ).toEqual({ _id: 1, kept: true });
      // A second instance on the same directory is refused while this one holds it.
      await expect(startEmbeddedMongo({ port: 0, dataDir: dir })).rejects.toThrow(/in use/);
    });
  });

  it('runs alone from the CLI, flushes on SIGTERM, and survives SIGKILL keeping every acknowledged write', async () => {
    const dir = dataDir();
    const first = await startCli(dir);
    expect(first.url).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/\?replicaSet=rs0$/);
    let client = new MongoClient(first.url);
    await client
      .db('t')
      .collection('a')
      .insertMany(Array.from({ length: 100 }, (_, i) => ({ i })));
    await client.close();
    first.child.kill('SIGTERM');
    const [code] = await once(first.child, 'exit');
    expect(code).toBe(0);

    const second = await startCli(dir);
    client = new MongoClient(second.url);
    expect(await client.db('t').collection('a').countDocuments()).toBe(100);
    await client
      .db('t')
      .collection('b')
      .insertMany(Array.from({ length: 100 }, (_, i) => ({ i })));
    await client
      .db('t')
      .collection('c')
      .insertMany(Array.from({ length: 100 }, (_, i) => ({ i })));
    second.child.kill('SIGKILL');
    await once(second.child, 'exit');
    await client.close(true);

    await withServer(dir, async (c) => {
      expect(await c.db('t').collection('a').countDocuments()).toBe(100);
      expect(await c.db('t').collection('b').countDocuments()).toBe(100);
      expect(await c.db('t').collection('c').countDocuments()).toBe(100);
    });
  });
});
