import { type Document, Long, MongoBulkWriteError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

describe('embedded mongo: reads and writes through the official driver', () => {
  const ctx = useEmbeddedMongo();
  const coll = <T extends Document = { _id: string } & Document>() =>
    ctx.client.db(freshName('db')).collection<T>(freshName());

  it('finds with filter, sort, projection, skip and limit', async () => {
    const c = coll();
    await c.insertMany(
      Array.from({ length: 10 }, (_, i) => ({ _id: `d${i}`, n: i, odd: i % 2 === 1, tag: 't' })),
    );
    const docs = await c
      .find({ odd: true }, { projection: { _id: 1, n: 1 } })
      .sort({ n: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(docs).toEqual([
      { _id: 'd7', n: 7 },
      { _id: 'd5', n: 5 },
    ]);
    expect(await c.findOne({ _id: 'd3' }, { projection: { tag: 0, odd: 0 } })).toEqual({
      _id: 'd3',
      n: 3,
    });
    expect(await c.findOne({ _id: 'missing' })).toBeNull();
  });

  it('pages through a large result with getMore and kills an abandoned cursor', async () => {
    const c = coll<{ _id: number }>();
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i })));
    const all = await c.find({}).sort({ _id: 1 }).batchSize(40).toArray();
    expect(all.map((d) => d._id)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    const empty = await c.db.command({ find: c.collectionName, batchSize: 0 });
    expect(empty.cursor.firstBatch).toEqual([]); // batchSize 0 opens the cursor without documents
    expect(Number(empty.cursor.id)).not.toBe(0);
    const killed = await c.db.command({
      killCursors: c.collectionName,
      cursors: [Long.fromNumber(Number(empty.cursor.id))],
    });
    expect(killed.cursorsKilled).toHaveLength(1);
    const cursor = c.find({}).batchSize(10);
    expect(await cursor.next()).toEqual({ _id: 0 });
    const id = cursor.id;
    expect(id?.isZero()).toBe(false);
    await cursor.close(); // sends killCursors
    await expect(c.db.command({ getMore: id, collection: c.collectionName })).rejects.toMatchObject(
      {
        code: 43,
        codeName: 'CursorNotFound',
      },
    );
  });

  it('applies $set/$inc/$setOnInsert/$max and reports matched/modified counts', async () => {
    const c = coll();
    await c.insertOne({ _id: 'a', balance: 10, high: 3 });
    const r = await c.updateOne(
      { _id: 'a' },
      {
        $inc: { balance: 5 },
        $set: { status: 'OPEN' },
        $max: { high: 2 },
        $setOnInsert: { created: true },
      },
    );
    expect(r).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await c.findOne({ _id: 'a' })).toEqual({
      _id: 'a',
      balance: 15,
      high: 3,
      status: 'OPEN',
    });
    const up = await c.updateOne(
      { _id: 'b' },
      { $set: { balance: 1 }, $setOnInsert: { created: true } },
      { upsert: true },
    );
    expect(up.upsertedId).toBe('b');
    expect(await c.findOne({ _id: 'b' })).toEqual({ _id: 'b', balance: 1, created: true });
    const noop = await c.updateOne({ _id: 'a' }, { $set: { status: 'OPEN' } });
    expect(noop).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
  });

  it('turns an upsert whose revision guard fails into duplicate key 11000', async () => {
    const c = coll();
    await c.insertOne({ _id: 'acc', revision: 5 });
    const error = await c
      .updateOne({ _id: 'acc', revision: { $lt: 5 } }, { $set: { revision: 5 } }, { upsert: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 'acc' } });
    const applied = await c.updateOne(
      { _id: 'acc', revision: { $lt: 6 } },
      { $set: { revision: 6 } },
      { upsert: true },
    );
    expect(applied.modifiedCount).toBe(1);
  });

  it('runs a bulkWrite of guarded upserts, reporting the failed ones with their index', async () => {
    const c = coll();
    await c.insertOne({ _id: 'x', revision: 3 });
    const ops = ['w', 'x', 'y'].map((id) => ({
      updateOne: {
        filter: { _id: id, revision: { $lt: 2 } },
        update: { $set: { revision: 2 } },
        upsert: true,
      },
    }));
    const error = (await c
      .bulkWrite(ops, { ordered: false })
      .catch((e: unknown) => e)) as MongoBulkWriteError;
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect(error.writeErrors).toHaveLength(1);
    const [first] = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    expect(first).toMatchObject({ index: 1, code: 11000 });
    expect(error.result.upsertedCount).toBe(2);
    expect(await c.countDocuments({ revision: 2 })).toBe(2);
  });

  it('deletes one or many and counts with countDocuments and estimatedDocumentCount', async () => {
    const c = coll();
    await c.insertMany([
      { _id: '1', k: 'a' },
      { _id: '2', k: 'a' },
      { _id: '3', k: 'b' },
    ]);
    expect((await c.deleteOne({ k: 'a' })).deletedCount).toBe(1);
    expect(await c.countDocuments({ k: 'a' })).toBe(1);
    expect((await c.deleteMany({})).deletedCount).toBe(2);
    expect(await c.estimatedDocumentCount()).toBe(0);
  });

  it('enforces a unique secondary index on insert and update', async () => {
    const c = coll();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ _id: 'u1', email: 'a@x' });
    await c.insertOne({ _id: 'u2', email: 'b@x' });
    await expect(c.insertOne({ _id: 'u3', email: 'a@x' })).rejects.toMatchObject({
      code: 11000,
      keyValue: { email: 'a@x' },
    });
    await expect(c.updateOne({ _id: 'u2' }, { $set: { email: 'a@x' } })).rejects.toMatchObject({
      code: 11000,
    });
    const indexes = await c.listIndexes().toArray();
    expect(indexes.map((i) => i.name)).toEqual(['_id_', 'email_1']);
  });

  it('findOneAndUpdate returns the document before or after', async () => {
    const c = coll();
    await c.insertOne({ _id: 'f', v: 1 });
    expect(await c.findOneAndUpdate({ _id: 'f' }, { $inc: { v: 1 } })).toEqual({ _id: 'f', v: 1 });
    expect(
      await c.findOneAndUpdate({ _id: 'f' }, { $inc: { v: 1 } }, { returnDocument: 'after' }),
    ).toEqual({ _id: 'f', v: 3 });
  });

  it('keeps numeric BSON types through a write and a read', async () => {
    const c = coll();
    await c.insertOne({ _id: 'n', big: Long.fromString('9007199254740993') });
    const doc = await c.findOne({ _id: 'n' }, { promoteLongs: false });
    expect(String(doc?.big)).toBe('9007199254740993');
  });

  it('aggregates with $match, $group, $sort and a $lookup into another collection', async () => {
    const db = ctx.client.db(freshName('db'));
    await db
      .collection('owners')
      .insertMany([{ _id: 'o1', name: 'Ada' } as Document, { _id: 'o2', name: 'Bob' } as Document]);
    await db.collection('accounts').insertMany([
      { ownerId: 'o1', balance: 10 },
      { ownerId: 'o1', balance: 5 },
      { ownerId: 'o2', balance: 7 },
    ]);
    const totals = await db
      .collection('accounts')
      .aggregate([
        { $group: { _id: '$ownerId', total: { $sum: '$balance' } } },
        { $lookup: { from: 'owners', localField: '_id', foreignField: '_id', as: 'owner' } },
        { $project: { total: 1, name: { $first: '$owner.name' } } },
        { $sort: { total: -1 } },
      ])
      .toArray();
    expect(totals).toEqual([
      { _id: 'o1', total: 15, name: 'Ada' },
      { _id: 'o2', total: 7, name: 'Bob' },
    ]);
  });

  it('updates array elements with arrayFilters and positional operators, and $push/$pull', async () => {
    const c = coll();
    await c.insertOne({
      _id: 'arr',
      items: [
        { k: 'a', n: 1 },
        { k: 'b', n: 2 },
      ],
      tags: ['x'],
    });
    await c.updateOne(
      { _id: 'arr' },
      { $inc: { 'items.$[el].n': 10 } },
      { arrayFilters: [{ 'el.k': 'b' }] },
    );
    await c.updateOne({ _id: 'arr', 'items.k': 'a' }, { $set: { 'items.$.n': 5 } });
    await c.updateOne({ _id: 'arr' }, { $push: { tags: 'y' } } as Document);
    await c.updateOne({ _id: 'arr' }, { $pull: { tags: 'x' } } as Document);
    await c.updateOne({ _id: 'arr' }, {
      $push: { top: { $each: [3, 1, 2], $sort: 1, $slice: 2 } },
    } as Document);
    expect(await c.findOne({ _id: 'arr' })).toEqual({
      _id: 'arr',
      items: [
        { k: 'a', n: 5 },
        { k: 'b', n: 12 },
      ],
      tags: ['y'],
      top: [1, 2],
    });
  });
});
