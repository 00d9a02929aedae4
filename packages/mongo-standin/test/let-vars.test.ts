import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

describe('embedded mongo: let variables', () => {
  const ctx = useEmbeddedMongo();
  const coll = () =>
    ctx.client.db(freshName('db')).collection<{ _id: number; n: number }>(freshName());

  it('aggregate resolves $$variables from let, also in a leading $match', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, n: 1 },
      { _id: 2, n: 5 },
    ]);
    const out = await c
      .aggregate(
        [
          { $match: { $expr: { $gt: ['$n', '$$min'] } } },
          { $project: { _id: 1, scaled: { $multiply: ['$n', '$$factor'] } } },
        ],
        { let: { min: 2, factor: 10 } },
      )
      .toArray();
    expect(out).toEqual([{ _id: 2, scaled: 50 }]);
  });

  it('find, update and delete resolve $$variables from let', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, n: 1 },
      { _id: 2, n: 5 },
    ]);
    const found = await c
      .find({ $expr: { $eq: ['$n', '$$target'] } }, { let: { target: 5 } })
      .toArray();
    expect(found).toEqual([{ _id: 2, n: 5 }]);
    await c.updateOne({ $expr: { $eq: ['$_id', '$$id'] } }, { $set: { n: 7 } }, { let: { id: 1 } });
    await c.deleteOne({ $expr: { $eq: ['$_id', '$$id'] } }, { let: { id: 2 } });
    expect(await c.find({}).toArray()).toEqual([{ _id: 1, n: 7 }]);
  });
});
