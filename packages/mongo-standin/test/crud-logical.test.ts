import { Long, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

/**
 * $and, $or and $nor, as mongod evaluates them: over missing fields, nulls, arrays and BSON
 * numbers of different types. The fenced write Tally makes for every read-model change is one.
 */
describe('embedded mongo: logical query operators', () => {
  const ctx = useEmbeddedMongo();
  const seeded = async () => {
    const c = ctx.client
      .db(freshName('db'))
      .collection<{ _id: string } & Record<string, unknown>>(freshName());
    await c.insertMany([
      { _id: 'old-term', n: 1, _fence: 3 },
      { _id: 'new-term', n: 2, _fence: new Long(9) },
      { _id: 'unfenced', n: 3 },
      { _id: 'null-fence', n: 4, _fence: null },
      { _id: 'tags', n: 5, tags: ['a', 'b'], nested: { x: 1 } },
    ]);
    return c;
  };
  const ids = (docs: { _id: string }[]) => docs.map((d) => d._id).sort();
  const fence = (token: number) => ({
    $or: [{ _fence: { $lte: token } }, { _fence: { $exists: false } }],
  });

  it('a fenced filter matches documents of earlier terms and unfenced ones only', async () => {
    const c = await seeded();
    expect(ids(await c.find(fence(5)).toArray())).toEqual(['old-term', 'tags', 'unfenced']);
    expect(ids(await c.find({ $and: [{ _id: 'new-term' }, fence(5)] }).toArray())).toEqual([]);
    expect(ids(await c.find({ $and: [{ _id: 'new-term' }, fence(9)] }).toArray())).toEqual([
      'new-term',
    ]);
    // An update under a fence of an earlier term changes nothing; of a later term, one document.
    const stale = await c.updateOne({ $and: [{ _id: 'new-term' }, fence(5)] }, { $set: { n: 0 } });
    expect(stale.matchedCount).toBe(0);
    const current = await c.updateOne(
      { $and: [{ _id: 'new-term' }, fence(10)] },
      { $set: { n: 20, _fence: 10 } },
    );
    expect(current.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 'new-term' })).toMatchObject({ n: 20, _fence: 10 });
  });

  it('$exists: false does not match an explicit null, and $lte does not match a missing field', async () => {
    const c = await seeded();
    expect(ids(await c.find({ _fence: { $exists: false } }).toArray())).toEqual([
      'tags',
      'unfenced',
    ]);
    expect(ids(await c.find({ $or: [{ _fence: { $lte: 100 } }] }).toArray())).toEqual([
      'new-term',
      'old-term',
    ]);
    expect(ids(await c.find({ _fence: null }).toArray())).toEqual([
      'null-fence',
      'tags',
      'unfenced',
    ]);
  });

  it('$nor, nested logic, arrays and embedded paths', async () => {
    const c = await seeded();
    expect(ids(await c.find({ $nor: [{ n: { $lt: 3 } }, { tags: 'a' }] }).toArray())).toEqual([
      'null-fence',
      'unfenced',
    ]);
    expect(
      ids(
        await c
          .find({
            $and: [{ $or: [{ tags: 'b' }, { n: 1 }] }, { $or: [{ 'nested.x': 1 }, { n: 1 }] }],
          })
          .toArray(),
      ),
    ).toEqual(['old-term', 'tags']);
    expect(ids(await c.find({ $and: [{}] }).toArray())).toHaveLength(5);
    expect(ids(await c.find({ $or: [{ n: { $in: [2, 4] } }], n: { $gt: 2 } }).toArray())).toEqual([
      'null-fence',
    ]);
  });

  it('fields named like Object.prototype members are fields, in plain and logical filters', async () => {
    const c = ctx.client
      .db(freshName('db'))
      .collection<{ _id: string } & Record<string, unknown>>(freshName());
    await c.insertMany([
      { _id: 'a', constructor: 'x', toString: 1 },
      { _id: 'b', constructor: 'y' },
    ]);
    expect(ids(await c.find({ constructor: 'x' }).toArray())).toEqual(['a']);
    expect(ids(await c.find({ $or: [{ toString: 1 }, { constructor: 'y' }] }).toArray())).toEqual([
      'a',
      'b',
    ]);
  });

  it("an empty or non-array $and/$or/$nor is BadValue, with mongod's message", async () => {
    const c = await seeded();
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ $and: [] }, '$and/$or/$nor must be a nonempty array'],
      [{ $or: {} }, '$or must be an array'],
      [{ $nor: [1] }, '$or/$and/$nor entries need to be full objects'],
      [{ n: 1, $or: [{ $and: [] }] }, '$and/$or/$nor must be a nonempty array'],
    ];
    for (const [filter, message] of refusals) {
      const error = await c
        .find(filter as never)
        .toArray()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error).toMatchObject({ code: 2, codeName: 'BadValue', message });
      // Writes refuse the same filter and change nothing.
      await expect(c.updateMany(filter as never, { $set: { n: 0 } })).rejects.toMatchObject({
        code: 2,
      });
    }
    expect(await c.countDocuments({ n: 0 })).toBe(0);
  });
});
