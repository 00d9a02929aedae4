import { type Document, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

/** Operations that once answered "ok" and did the wrong thing; each must now be exact or refused. */
describe('embedded mongo: no silent wrong results', () => {
  const ctx = useEmbeddedMongo();
  const coll = <T extends Document = { _id: number } & Document>() =>
    ctx.client.db(freshName('db')).collection<T>(freshName());

  it('findOneAndUpdate and findOneAndReplace with a sort change exactly one document', async () => {
    const c = coll<{ _id: number; group: string; n: number; touched?: boolean }>();
    await c.insertMany([
      { _id: 1, group: 'a', n: 3 },
      { _id: 2, group: 'a', n: 1 },
      { _id: 3, group: 'a', n: 2 },
    ]);
    const updated = await c.findOneAndUpdate(
      { group: 'a' },
      { $set: { touched: true } },
      { sort: { n: 1 }, returnDocument: 'after' },
    );
    expect(updated).toEqual({ _id: 2, group: 'a', n: 1, touched: true });
    expect(await c.countDocuments({ touched: true })).toBe(1);

    const replaced = await c.findOneAndReplace(
      { group: 'a' },
      { group: 'b', n: 9 },
      { sort: { n: -1 }, returnDocument: 'before' },
    );
    expect(replaced).toEqual({ _id: 1, group: 'a', n: 3 });
    expect(await c.find({ group: 'b' }).toArray()).toEqual([{ _id: 1, group: 'b', n: 9 }]);
    expect(await c.countDocuments({ group: 'a' })).toBe(2);
  });

  it('an upsert by replacement keeps the replacement’s _id, null included', async () => {
    // Typed loosely: the driver's types forbid an _id in a replacement, mongod does not.
    const c = coll<{ _id: number | null } & Document>();
    const seven = await c.replaceOne({ x: 1 }, { _id: 7, x: 1 }, { upsert: true });
    expect(seven.upsertedId).toBe(7);
    expect(await c.findOne({ x: 1 })).toEqual({ _id: 7, x: 1 });

    const nul = await c.replaceOne({ x: 2 }, { _id: null, x: 2 }, { upsert: true });
    expect(nul.upsertedId).toBeNull();
    expect(await c.find({ _id: { $type: 'null' } }).toArray()).toEqual([{ _id: null, x: 2 }]);

    // A filter on _id null with an update upserts a document whose _id is null, as mongod does.
    const d = coll<{ _id: number | null; a?: number }>();
    await d.updateOne({ _id: null }, { $unset: { a: '' } }, { upsert: true });
    expect(await d.find({}).toArray()).toEqual([{ _id: null }]);

    // The filter's _id and the replacement's must agree.
    await expect(
      c.replaceOne({ _id: 8 }, { _id: 9, x: 3 } as Document, { upsert: true }),
    ).rejects.toMatchObject({ code: 66 });
    expect(await c.countDocuments({ x: 3 })).toBe(0);
  });

  it('refuses $out and $merge, naming the stage, and writes nothing', async () => {
    const c = coll();
    await c.insertMany([{ _id: 1 }, { _id: 2 }]);
    const target = freshName('out');
    for (const stage of [{ $out: target }, { $merge: { into: target } }]) {
      const name = Object.keys(stage)[0]!;
      const error = await c
        .aggregate([{ $match: {} }, stage])
        .toArray()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error).toMatchObject({ code: 40324 });
      expect((error as Error).message).toContain(name);
    }
    const names = (await c.db.listCollections().toArray()).map((x) => x.name);
    expect(names).not.toContain(target);
  });

  it('refuses a collation on every command that takes one, and accepts the simple one', async () => {
    const c = coll<{ _id: number; s: string }>();
    await c.insertMany([
      { _id: 1, s: 'ping' },
      { _id: 2, s: 'PING' },
    ]);
    const collation = { locale: 'en', strength: 2 };
    const refused = [
      () => c.find({ s: 'ping' }, { collation }).toArray(),
      () => c.aggregate([{ $match: { s: 'ping' } }], { collation }).toArray(),
      () => c.distinct('s', {}, { collation }),
      () => c.countDocuments({ s: 'ping' }, { collation }),
      () => c.updateOne({ s: 'ping' }, { $set: { t: 1 } }, { collation }),
      () => c.deleteMany({ s: 'ping' }, { collation }),
      () => c.findOneAndUpdate({ s: 'ping' }, { $set: { t: 1 } }, { collation }),
      () => c.createIndex({ s: 1 }, { collation }),
      () => c.db.createCollection(freshName(), { collation }),
    ];
    for (const run of refused) {
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).message).toMatch(/collation/);
    }
    // Nothing was changed by the refused writes.
    expect(await c.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, s: 'ping' },
      { _id: 2, s: 'PING' },
    ]);
    // The simple collation is binary comparison, which is what the stand-in does.
    expect(await c.distinct('s', {}, { collation: { locale: 'simple' } })).toEqual([
      'ping',
      'PING',
    ]);
  });

  it('refuses the sort option of updateOne and replaceOne, as MongoDB 7.0 does, changing nothing', async () => {
    const c = coll<{ _id: number; n: number; t?: number }>();
    await c.insertMany([
      { _id: 1, n: 2 },
      { _id: 2, n: 1 },
    ]);
    await expect(
      c.updateOne({}, { $set: { t: 1 } }, { sort: { n: 1 } } as never),
    ).rejects.toMatchObject({ code: 40415 });
    await expect(c.replaceOne({}, { n: 0 }, { sort: { n: 1 } } as never)).rejects.toBeInstanceOf(
      MongoServerError,
    );
    expect(await c.countDocuments({ t: 1 })).toBe(0);
  });
});
