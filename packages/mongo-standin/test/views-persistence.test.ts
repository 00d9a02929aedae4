import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Db, type Document, MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { startEmbeddedMongo } from '../src/index.js';
import { killHard, startMongoProcess } from '../src/process.js';
import { frameRecord } from '../src/storage/record-file.js';
import { useDataDirs } from './support.js';

/**
 * Views with `--data-dir` are durable like collections: an acknowledged create or drop of a
 * view survives a SIGKILL (journal) and a clean restart (snapshot), as mongod's system.views.
 */
const dataDir = useDataDirs('mongo-views-');

async function viewsOf(db: Db): Promise<Document[]> {
  return db.listCollections({ type: 'view' }).toArray();
}

async function seed(db: Db): Promise<void> {
  await db.collection('accounts').insertMany([
    { _id: 'a', balance: 5 },
    { _id: 'b', balance: 50 },
  ] as Document[]);
  await db.createCollection('rich', {
    viewOn: 'accounts',
    pipeline: [{ $match: { balance: { $gte: 10 } } }],
  });
  await db.createCollection('rich_ids', { viewOn: 'rich', pipeline: [{ $project: { _id: 1 } }] });
  await db.createCollection('dropped', { viewOn: 'accounts', pipeline: [] });
  await db.collection('dropped').drop();
}

async function expectSeeded(db: Db): Promise<void> {
  const views = await viewsOf(db);
  expect(views.map((v) => v.name).sort()).toEqual(['rich', 'rich_ids']);
  expect(views.find((v) => v.name === 'rich')).toMatchObject({
    type: 'view',
    options: { viewOn: 'accounts', pipeline: [{ $match: { balance: { $gte: 10 } } }] },
    info: { readOnly: true },
  });
  expect(await db.collection('rich_ids').find().toArray()).toEqual([{ _id: 'b' }]);
  await expect(db.collection('rich').insertOne({ x: 1 })).rejects.toMatchObject({ code: 166 });
}

describe('embedded mongo: views with a data directory', () => {
  it('keeps acknowledged views and view drops across a SIGKILL (journal replay)', async () => {
    const dir = dataDir();
    const first = await startMongoProcess(dir);
    let client = new MongoClient(first.url);
    await seed(client.db('ledger'));
    // A database of views only: its dropDatabase must be durable too.
    await client.db('views_only').createCollection('v', { viewOn: 'nothing', pipeline: [] });
    await client.db('views_only').dropDatabase();
    await client.close();
    await killHard(first.child); // acknowledged, so journaled; no snapshot written
    const second = await startMongoProcess(dir);
    client = new MongoClient(second.url);
    try {
      await expectSeeded(client.db('ledger'));
      expect(await viewsOf(client.db('views_only'))).toEqual([]);
    } finally {
      await client.close();
      await killHard(second.child);
    }
  });

  it('keeps views in the snapshot written at a clean shutdown', async () => {
    const dir = dataDir();
    let server = await startEmbeddedMongo({ port: 0, dataDir: dir });
    let client = new MongoClient(server.url);
    await seed(client.db('ledger'));
    await client.close();
    await server.close();
    server = await startEmbeddedMongo({ port: 0, dataDir: dir });
    client = new MongoClient(server.url);
    try {
      await expectSeeded(client.db('ledger'));
      // Dropping a collection leaves the views on it, as in mongod; they read nothing.
      await client.db('ledger').collection('accounts').drop();
      expect(await client.db('ledger').collection('rich').find().toArray()).toEqual([]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('loads a data directory written before views were kept, then keeps new ones', async () => {
    const dir = dataDir();
    const records = [
      { t: 'meta', format: 'tally-embedded-mongo', version: 1, seq: 0, at: new Date() },
      { t: 'coll', db: 'old', c: 'accounts', indexes: [] },
      { t: 'doc', d: { _id: 'a', balance: 5 } },
    ];
    writeFileSync(join(dir, 'snapshot.bin'), Buffer.concat(records.map(frameRecord)));
    let server = await startEmbeddedMongo({ port: 0, dataDir: dir });
    let client = new MongoClient(server.url);
    try {
      expect(await viewsOf(client.db('old'))).toEqual([]);
      await client.db('old').createCollection('all', { viewOn: 'accounts', pipeline: [] });
    } finally {
      await client.close();
      await server.close();
    }
    server = await startEmbeddedMongo({ port: 0, dataDir: dir });
    client = new MongoClient(server.url);
    try {
      expect(await client.db('old').collection('all').find().toArray()).toEqual([
        { _id: 'a', balance: 5 },
      ]);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
