import { type Document, Double, Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

describe('embedded mongo: indexes', () => {
  const ctx = useEmbeddedMongo();
  // biome-ignore lint/suspicious/noExplicitAny: documents of many shapes, typed by the assertions
  const coll = () => ctx.client.db(freshName('db')).collection<any>(freshName());

  async function seed(size: number) {
    const c = coll();
    await c.insertMany(
      Array.from({ length: size }, (_, i) => ({
        _id: `t${i}`,
        owner: `o${i % 50}`,
        revision: Math.floor(i / 50),
      })),
    );
    return c;
  }

  it('finds by _id without scanning the collection', async () => {
    const c = await seed(5000);
    const explained = await c.find({ _id: 't4321' }).explain('executionStats');
    expect(explained.executionStats.totalDocsExamined).toBe(1);
    expect(await c.findOne({ _id: 't4321' })).toMatchObject({ owner: 'o21', revision: 86 });
  });

  it('keeps string ids apart from ids of other types that print alike', async () => {
    // A string _id is its own key in the stand-in; other types' keys start with a NUL.
    const c = coll();
    const ids = [5, 'n5', '\u0000n5', '\u0000\u0000n5', '', '\u0000', 'z', true];
    await c.insertMany(ids.map((_id, i) => ({ _id, i })));
    for (const [i, _id] of ids.entries()) expect(await c.findOne({ _id })).toEqual({ _id, i });
    expect(await c.countDocuments()).toBe(ids.length);
    await c.deleteOne({ _id: '\u0000n5' });
    expect(await c.findOne({ _id: 5 })).toEqual({ _id: 5, i: 0 });
    expect(await c.findOne({ _id: '\u0000\u0000n5' })).toEqual({ _id: '\u0000\u0000n5', i: 3 });
  });

  it('plans on the clauses of a top-level $and, as mongod flattens them', async () => {
    // Tally fences every read-model write as {$and: [{_id}, fence]}: a scan per write made the
    // stand-in's cost per write grow with the collection.
    const c = await seed(5000);
    await c.createIndex({ owner: 1 });
    const byId = {
      $and: [{ _id: 't4321' }, { $or: [{ revision: { $lte: 86 } }, { gone: true }] }],
    };
    const explained = await c.find(byId).explain('executionStats');
    expect(explained.executionStats.totalDocsExamined).toBe(1);
    const update = await c.updateOne(byId, { $set: { seen: true } });
    expect(update.modifiedCount).toBe(1);
    expect(await c.countDocuments({ seen: true })).toBe(1);
    const nested = { $and: [{ $and: [{ owner: 'o7' }] }, { revision: { $gte: 99 } }] };
    expect((await c.find(nested).toArray()).map((d) => d._id)).toEqual(['t4957']);
    expect((await c.find(nested).explain('executionStats')).executionStats.totalDocsExamined).toBe(
      100,
    );
    // A clause that excludes what another selects still gives the exact answer.
    expect(await c.countDocuments({ $and: [{ _id: 't1' }, { _id: 't2' }] })).toBe(0);
  });

  it('serves equality + range on a compound index, reading only the matches', async () => {
    const c = await seed(5000);
    await c.createIndex({ owner: 1, revision: -1 });
    const filter = { owner: 'o7', revision: { $gte: 10, $lt: 20 } };
    const docs = await c.find(filter).toArray();
    expect(docs.map((d) => d.revision).sort((a, b) => a - b)).toEqual([
      10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    ]);
    const explained = await c.find(filter).explain('executionStats');
    expect(explained.queryPlanner.winningPlan.inputStage.indexName).toBe('owner_1_revision_-1');
    expect(explained.executionStats.totalDocsExamined).toBe(10);
  });

  it('serves $in on an indexed field with one lookup per value', async () => {
    const c = await seed(3000);
    await c.createIndex({ owner: 1 });
    const filter = { owner: { $in: ['o1', 'o2'] } };
    expect(await c.countDocuments(filter)).toBe(120);
    const explained = await c.find(filter).explain('executionStats');
    expect(explained.executionStats.totalDocsExamined).toBe(120);
  });

  it('gives sort order from the index, so sort + limit reads only the limit', async () => {
    const c = await seed(5000);
    await c.createIndex({ owner: 1, revision: -1 });
    const newest = await c.find({ owner: 'o3' }).sort({ revision: -1 }).limit(3).toArray();
    expect(newest.map((d) => d.revision)).toEqual([99, 98, 97]);
    const oldest = await c.find({ owner: 'o3' }).sort({ revision: 1 }).limit(2).toArray();
    expect(oldest.map((d) => d.revision)).toEqual([0, 1]);
    const explained = await c
      .find({ owner: 'o3' })
      .sort({ revision: -1 })
      .limit(3)
      .explain('executionStats');
    expect(explained.executionStats.totalDocsExamined).toBe(3);
  });

  it('returns the same documents with and without an index, across BSON types', async () => {
    const values = [
      null,
      1,
      2.5,
      new Double(3),
      Long.fromNumber(4),
      Long.fromString('9007199254740993'),
      'a',
      'b',
      new Date(0),
      true,
    ];
    const docs = Array.from({ length: 200 }, (_, i) => {
      const v = values[i % values.length];
      return i % 13 === 0 ? { _id: i } : { _id: i, v };
    });
    const plain = coll();
    const indexed = coll();
    await plain.insertMany(docs.map((d) => ({ ...d })));
    await indexed.insertMany(docs.map((d) => ({ ...d })));
    await indexed.createIndex({ v: 1 });
    const filters: Document[] = [
      { v: { $gt: 2 } },
      { v: { $gte: 2.5, $lte: 4 } },
      { v: { $lt: 'b' } },
      { v: 4 },
      { v: Long.fromString('9007199254740993') },
      { v: { $gt: Long.fromString('9007199254740992') } },
      { v: null },
    ];
    for (const filter of filters) {
      const ids = async (c: typeof plain) =>
        (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
      expect(await ids(indexed), JSON.stringify(filter)).toEqual(await ids(plain));
    }
  });

  it('matches array fields through a multikey index as a scan would', async () => {
    const c = coll();
    await c.createIndex({ scores: 1 });
    await c.insertMany([
      { _id: 'split', scores: [1, 10] },
      { _id: 'inside', scores: [6] },
      { _id: 'outside', scores: [1, 2] },
    ]);
    const ids = (
      await c
        .find({ scores: { $gt: 5, $lt: 8 } })
        .sort({ _id: 1 })
        .toArray()
    ).map((d) => d._id);
    expect(ids).toEqual(['inside', 'split']);
    expect((await c.find({ scores: 10 }).toArray()).map((d) => d._id)).toEqual(['split']);
  });

  it('enforces compound unique indexes with mongod-shaped duplicate key errors', async () => {
    const c = coll();
    await c.createIndex({ accountId: 1, revision: 1 }, { unique: true });
    await c.insertMany([
      { accountId: 'a', revision: 1 },
      { accountId: 'a', revision: 2 },
      { accountId: 'b', revision: 1 },
    ]);
    const error = await c.insertOne({ accountId: 'a', revision: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 11000,
      keyPattern: { accountId: 1, revision: 1 },
      keyValue: { accountId: 'a', revision: 2 },
    });
    expect((error as Error).message).toMatch(
      /E11000 duplicate key error collection: .* index: accountId_1_revision_1 dup key/,
    );
    await expect(
      c.updateOne({ accountId: 'x' }, { $set: { accountId: 'b', revision: 1 } }, { upsert: true }),
    ).rejects.toMatchObject({
      code: 11000,
    });
    expect(await c.countDocuments()).toBe(3);
  });

  it('lets a sparse unique index hold many documents without the field', async () => {
    const c = coll();
    await c.createIndex({ externalId: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ n: 1 }, { n: 2 }, { externalId: 'e1' }]);
    await expect(c.insertOne({ externalId: 'e1' })).rejects.toMatchObject({ code: 11000 });
    expect(await c.countDocuments()).toBe(3);
  });

  it('refuses a unique index over existing duplicates and drops indexes by name', async () => {
    const c = coll();
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    await expect(c.createIndex({ k: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    await c.createIndex({ k: 1 }, { name: 'by_k' });
    await c.dropIndex('by_k');
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('pages by _id (alone or after an owner prefix) reading only the page', async () => {
    const c = await seed(3000);
    await c.createIndex({ owner: 1, _id: 1 });
    const page = await c
      .find({ owner: 'o5', _id: { $gt: 't1005' } })
      .sort({ _id: 1 })
      .limit(3)
      .toArray();
    expect(page.map((d) => d._id)).toEqual(['t105', 't1055', 't1105']); // string order
    const explained = await c
      .find({ owner: 'o5', _id: { $gt: 't1005' } })
      .sort({ _id: 1 })
      .limit(3)
      .explain('executionStats');
    expect(explained.executionStats.totalDocsExamined).toBe(3);
    const first = await c
      .find({ _id: { $lt: 't2' } })
      .sort({ _id: -1 })
      .limit(2)
      .toArray();
    expect(first.map((d) => d._id)).toEqual(['t1999', 't1998']);
    const byId = await c.find({}).sort({ _id: 1 }).limit(2).explain('executionStats');
    expect(byId.executionStats.totalDocsExamined).toBe(2);
  });
});
