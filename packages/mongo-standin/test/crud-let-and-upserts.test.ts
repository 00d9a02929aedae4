import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

/** Cases from the CRUD spec's *-let, updateWithPipelines and create-null-ids tests. */
describe('embedded mongo: let values, pipeline updates and null _id upserts, as the CRUD spec expects', () => {
  const ctx = useEmbeddedMongo();
  // biome-ignore lint/suspicious/noExplicitAny: the spec's documents have free shapes
  const coll = () => ctx.client.db(freshName('db')).collection<any>(freshName());

  it('let values are expressions: $literal binds its value, "$bar" included', async () => {
    const c = coll();
    await c.insertMany([{ _id: 1 }, { _id: 2, name: 'name' }, { _id: 3, name: 'name' }]);
    const result = await c.updateMany(
      { $expr: { $eq: ['$name', '$$name'] } },
      [{ $set: { x: '$$x', y: '$$y', z: '$$z' } }],
      { let: { name: 'name', x: 'foo', y: { $literal: '$bar' }, z: { $add: [1, 2] } } },
    );
    expect(result.matchedCount).toBe(2);
    expect(result.modifiedCount).toBe(2);
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1 },
      { _id: 2, name: 'name', x: 'foo', y: '$bar', z: 3 },
      { _id: 3, name: 'name', x: 'foo', y: '$bar', z: 3 },
    ]);
    const before = await c.findOneAndUpdate(
      { $expr: { $eq: ['$_id', '$$id'] } },
      [{ $set: { y: '$$y' } }],
      { let: { id: 1, y: { $literal: 'bar' } }, returnDocument: 'before' },
    );
    expect(before).toEqual({ _id: 1 });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, y: 'bar' });
  });

  it('a $$path into a let value, and an undefined variable is 17276', async () => {
    const c = coll();
    await c.insertOne({ _id: 1 });
    const out = await c
      .aggregate([{ $project: { _id: 0, v: '$$doc.a.b' } }], { let: { doc: { a: { b: 7 } } } })
      .toArray();
    expect(out).toEqual([{ v: 7 }]);
    const error = await c
      .aggregate([{ $project: { v: '$$nope' } }], { let: { x: 1 } })
      .toArray()
      .catch((e) => e);
    expect(error.code).toBe(17276);
    expect(error.message).toContain('Use of undefined variable: nope');
    const badName = await c
      .find({}, { let: { Bad: 1 } })
      .toArray()
      .catch((e) => e);
    expect(badName.code).toBe(16867);
  });

  it('pipeline updates: $replaceRoot keeps _id, $project and $unset shape the document', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, x: 1, y: 1, t: { u: { v: 1 } } },
      { _id: 2, x: 2, y: 1 },
    ]);
    await c.updateOne({ _id: 1 }, [
      { $replaceRoot: { newRoot: '$t' } },
      { $addFields: { foo: 1 } },
    ]);
    await c.updateMany({ _id: 2 }, [{ $project: { x: 1 } }, { $addFields: { foo: 1 } }]);
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, u: { v: 1 }, foo: 1 },
      { _id: 2, x: 2, foo: 1 },
    ]);
    await c.updateMany({}, [{ $unset: ['foo'] }]);
    expect(await c.find({ foo: { $exists: true } }).toArray()).toEqual([]);
  });

  it('upserts with a null _id insert _id: null, through updateOne, updateMany and replaceOne', async () => {
    for (const write of [
      (c: ReturnType<typeof coll>) =>
        c.updateOne({ _id: null }, { $unset: { a: '' } }, { upsert: true }),
      (c: ReturnType<typeof coll>) =>
        c.updateMany({ _id: null }, { $unset: { a: '' } }, { upsert: true }),
      (c: ReturnType<typeof coll>) => c.replaceOne({}, { _id: null }, { upsert: true }),
    ]) {
      const c = coll();
      const result = await write(c);
      expect(result.upsertedCount).toBe(1);
      expect(result.upsertedId).toBeNull();
      expect(await c.find().toArray()).toEqual([{ _id: null }]);
    }
  });
});
