import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

describe('embedded mongo: read-only views', () => {
  const ctx = useEmbeddedMongo();

  async function seeded() {
    const db = ctx.client.db(freshName('db'));
    const base = db.collection<{ _id: number; x: number; tags?: string[] }>('coll0');
    await base.insertMany([
      { _id: 1, x: 11, tags: ['a'] },
      { _id: 2, x: 22, tags: ['a', 'b'] },
      { _id: 3, x: 33, tags: ['c'] },
    ]);
    await db.createCollection('coll0view', {
      viewOn: 'coll0',
      pipeline: [{ $match: { _id: { $gt: 1 } } }],
    });
    return { db, base, view: db.collection<{ _id: number; x: number }>('coll0view') };
  }

  it('estimatedDocumentCount, countDocuments, find, distinct and aggregate read through the view pipeline', async () => {
    const { view } = await seeded();
    // The CRUD spec's "estimatedDocumentCount works correctly on views" (count command).
    expect(await view.estimatedDocumentCount()).toBe(2);
    expect(await view.countDocuments({ x: { $gt: 20 } })).toBe(2);
    expect(await view.countDocuments({}, { skip: 1 })).toBe(1);
    expect(await view.find({}, { sort: { x: -1 }, projection: { tags: 0 } }).toArray()).toEqual([
      { _id: 3, x: 33 },
      { _id: 2, x: 22 },
    ]);
    expect(await view.find({ x: 22 }).limit(1).toArray()).toEqual([
      { _id: 2, x: 22, tags: ['a', 'b'] },
    ]);
    expect((await view.distinct('tags')).sort()).toEqual(['a', 'b', 'c']);
    expect(
      await view.aggregate([{ $group: { _id: null, total: { $sum: '$x' } } }]).toArray(),
    ).toEqual([{ _id: null, total: 55 }]);
  });

  it('a view on a view applies both pipelines, and getMore pages through a view cursor', async () => {
    const { db } = await seeded();
    await db.createCollection('big', {
      viewOn: 'coll0view',
      pipeline: [{ $match: { x: { $lt: 30 } } }],
    });
    expect(await db.collection('big').find().toArray()).toEqual([
      { _id: 2, x: 22, tags: ['a', 'b'] },
    ]);
    const many = db.collection<{ _id: number }>('many');
    await many.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i })));
    await db.createCollection('manyView', { viewOn: 'many' });
    expect(await db.collection('manyView').find({}, { batchSize: 20 }).toArray()).toHaveLength(250);
  });

  it('$lookup reads a view as its documents', async () => {
    const { db } = await seeded();
    const left = db.collection<{ _id: string; ref: number }>('left');
    await left.insertOne({ _id: 'l', ref: 2 });
    const joined = await left
      .aggregate([
        { $lookup: { from: 'coll0view', localField: 'ref', foreignField: '_id', as: 'hits' } },
      ])
      .toArray();
    expect(joined[0]?.hits).toEqual([{ _id: 2, x: 22, tags: ['a', 'b'] }]);
  });

  it('listCollections shows a view with type "view" and its definition', async () => {
    const { db } = await seeded();
    const infos = await db.listCollections().toArray();
    const view = infos.find((i) => i.name === 'coll0view');
    expect(view).toMatchObject({
      type: 'view',
      options: { viewOn: 'coll0', pipeline: [{ $match: { _id: { $gt: 1 } } }] },
      info: { readOnly: true },
    });
    expect(await db.listCollections({ type: 'view' }, { nameOnly: true }).toArray()).toEqual([
      { name: 'coll0view', type: 'view' },
    ]);
  });

  it('writes and index commands on a view answer 166 CommandNotSupportedOnView and change nothing', async () => {
    const { view, base } = await seeded();
    const insert = await view
      .insertMany(
        [
          { _id: 9, x: 99 },
          { _id: 10, x: 100 },
        ],
        { ordered: false },
      )
      .catch((e) => e);
    expect(insert).toBeInstanceOf(MongoBulkWriteError);
    expect(insert.writeErrors.map((e: { code: number }) => e.code)).toEqual([166, 166]);
    for (const attempt of [
      () => view.insertOne({ _id: 9, x: 99 }),
      () => view.updateOne({ _id: 2 }, { $set: { x: 0 } }),
      () => view.deleteMany({}),
      () => view.findOneAndUpdate({ _id: 2 }, { $set: { x: 0 } }),
      () => view.createIndex({ x: 1 }),
      () => view.indexes(),
    ]) {
      const error = await attempt().catch((e) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error.code).toBe(166);
      expect(error.message).toContain('is a view, not a collection');
    }
    expect(await base.countDocuments()).toBe(3);
  });

  it('drop removes a view, not its source; a view name cannot be created twice', async () => {
    const { db, base } = await seeded();
    const again = await db.createCollection('coll0view', { viewOn: 'coll0' }).catch((e) => e);
    expect(again.code).toBe(48);
    expect(await db.collection('coll0view').drop()).toBe(true);
    expect((await db.listCollections().toArray()).map((c) => c.name)).toEqual(['coll0']);
    expect(await base.countDocuments()).toBe(3);
  });

  it('a view pipeline with an unknown stage, or a $out, fails the create', async () => {
    const db = ctx.client.db(freshName('db'));
    const unknown = await db
      .createCollection('v', { viewOn: 'c', pipeline: [{ $nope: {} }] })
      .catch((e) => e);
    expect(unknown.code).toBe(40324);
    const out = await db
      .createCollection('v', { viewOn: 'c', pipeline: [{ $out: 'x' }] })
      .catch((e) => e);
    expect(out.code).toBe(40324);
    expect(await db.listCollections().toArray()).toEqual([]);
  });
});
