import { MongoServerError, Timestamp } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

describe('embedded mongo: create options, Atlas Search and readConcern, as mongod 7.0 answers them', () => {
  const ctx = useEmbeddedMongo();
  const database = () => ctx.client.db(freshName('db'));

  it('refuses create options it does not honour, naming each, and creates nothing', async () => {
    const db = database();
    for (const options of [
      { timeseries: { timeField: 't' } },
      { expireAfterSeconds: 60 },
      { clusteredIndex: { key: { _id: 1 }, unique: true } },
      { capped: true, size: 4096 },
      { validator: { x: { $type: 'int' } } },
      { storageEngine: { wiredTiger: {} } },
    ]) {
      const error = await db.createCollection('c', options as never).catch((e) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error.code).toBe(72);
      expect(error.message).toContain(Object.keys(options)[0]);
    }
    // (The driver's createCollection with encryptedFields first creates clustered helper
    // collections, so the bare command shows this refusal.)
    const encrypted = await db
      .command({ create: 'c', encryptedFields: { fields: [] } })
      .catch((e) => e);
    expect(encrypted.code).toBe(72);
    expect(encrypted.message).toContain('encryptedFields');
    expect(await db.listCollections().toArray()).toEqual([]);
    // What the defaults mean is honoured exactly, so it is accepted.
    await db.createCollection('plain', { capped: false, validator: {} });
    expect((await db.listCollections().toArray()).map((c) => c.name)).toEqual(['plain']);
  });

  it('search index helpers and search stages fail as on a mongod without Atlas Search', async () => {
    const coll = database().collection<{ _id: number }>('c');
    await coll.insertOne({ _id: 1 });
    for (const attempt of [
      () => coll.createSearchIndex({ name: 'i', definition: { mappings: { dynamic: true } } }),
      () => coll.updateSearchIndex('i', {}),
      () => coll.dropSearchIndex('i'),
    ]) {
      const error = await attempt().catch((e) => e);
      expect(error.code).toBe(115);
      expect(error.message).toBe('Search index commands are only supported with Atlas.');
    }
    const listed = await coll
      .listSearchIndexes()
      .toArray()
      .catch((e) => e);
    expect(listed.code).toBe(6047401);
    expect(listed.message).toBe('$listSearchIndexes stage is only allowed on MongoDB Atlas');
    const searched = await coll
      .aggregate([{ $search: { text: { query: 'x', path: 'y' } } }])
      .toArray()
      .catch((e) => e);
    expect(searched.code).toBe(6047401);
  });

  it('accepts every readConcern level on reads, and refuses unknown levels and fields', async () => {
    const coll = database().collection<{ _id: number }>('c');
    await coll.insertOne({ _id: 1 });
    for (const level of ['local', 'majority', 'linearizable', 'available'] as const) {
      expect(await coll.find({}, { readConcern: { level } }).toArray()).toEqual([{ _id: 1 }]);
      expect(await coll.countDocuments({}, { readConcern: { level } })).toBe(1);
    }
    const db = coll.db;
    const unknown = await db
      .command({ find: coll.collectionName, readConcern: { level: 'eventual' } })
      .catch((e) => e);
    expect(unknown.code).toBe(9);
    expect(unknown.message).toContain("readConcern.level must be either 'local'");
    const field = await db
      .command({ find: coll.collectionName, readConcern: { level: 'local', foo: 1 } })
      .catch((e) => e);
    expect(field.code).toBe(72);
    const atWithoutSnapshot = await db
      .command({
        find: coll.collectionName,
        readConcern: { level: 'majority', atClusterTime: new Timestamp({ t: 1, i: 1 }) },
      })
      .catch((e) => e);
    expect(atWithoutSnapshot.code).toBe(72);
  });

  it('refuses a readConcern level a command does not support, and writes nothing', async () => {
    const coll = database().collection<{ _id: number }>('c');
    const error = await coll.db
      .command({
        insert: coll.collectionName,
        documents: [{ _id: 1 }],
        readConcern: { level: 'majority' },
      })
      .catch((e) => e);
    expect(error.code).toBe(72);
    expect(error.message).toContain('Command insert does not support');
    expect(await coll.countDocuments()).toBe(0);
  });

  it('a snapshot session reads at a cluster time and says so; writes in it are refused', async () => {
    const coll = database().collection<{ _id: number; x: number }>('c');
    await coll.insertOne({ _id: 1, x: 11 });
    const session = ctx.client.startSession({ snapshot: true });
    try {
      expect(await coll.find({}, { session }).toArray()).toEqual([{ _id: 1, x: 11 }]);
      // The second read carries the first one's atClusterTime: nothing changed, so it reads.
      expect(await coll.distinct('x', {}, { session })).toEqual([11]);
      const write = await coll.insertOne({ _id: 2, x: 22 }, { session }).catch((e) => e);
      expect(write).toBeInstanceOf(MongoServerError);
      expect(write.code).toBe(72);
      // Another client's write moves the data past the snapshot, which the stand-in does not keep.
      await coll.updateOne({ _id: 1 }, { $set: { x: 12 } });
      const stale = await coll
        .find({}, { session })
        .toArray()
        .catch((e) => e);
      expect(stale.code).toBe(239);
    } finally {
      await session.endSession();
    }
  });

  it('afterClusterTime ahead of the cluster time is refused; a causally consistent session reads its writes', async () => {
    const coll = database().collection<{ _id: number }>('c');
    const ahead = await coll.db
      .command({
        find: coll.collectionName,
        readConcern: { afterClusterTime: new Timestamp({ t: 4_000_000_000, i: 1 }) },
      })
      .catch((e) => e);
    expect(ahead.code).toBe(72);
    expect(ahead.message).toContain('must not be greater than the current clusterTime');
    const session = ctx.client.startSession({ causalConsistency: true });
    try {
      await coll.insertOne({ _id: 1 }, { session });
      expect(await coll.find({}, { session }).toArray()).toEqual([{ _id: 1 }]);
    } finally {
      await session.endSession();
    }
  });
});
