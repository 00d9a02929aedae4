import { Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

describe('embedded mongo: serverStatus counts the commands run, as mongod does', () => {
  const ctx = useEmbeddedMongo();
  const status = () => ctx.client.db('admin').command({ serverStatus: 1 });
  const total = (counters: Record<string, Long>, name: string) => Number(counters[name] ?? 0);

  it('opcounters: inserts per document, updates and deletes per statement, finds, getMores and other commands', async () => {
    const coll = ctx.client.db(freshName('db')).collection(freshName());
    const before = (await status()).opcounters;
    // 64-bit counters, as mongod reports them (the driver promotes them to numbers by default).
    const raw = await ctx.client.db('admin').command({ serverStatus: 1 }, { promoteLongs: false });
    expect(raw.opcounters.insert).toBeInstanceOf(Long);
    await coll.insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
    await coll.bulkWrite([
      { updateOne: { filter: { a: 1 }, update: { $set: { b: 1 } } } },
      { updateOne: { filter: { a: 2 }, update: { $set: { b: 2 } } } },
      { deleteOne: { filter: { a: 3 } } },
    ]);
    await coll.find({}, { batchSize: 1 }).toArray();
    await coll.aggregate([{ $match: {} }]).toArray();
    const after = (await status()).opcounters;
    expect(total(after, 'insert') - total(before, 'insert')).toBe(3);
    expect(total(after, 'update') - total(before, 'update')).toBe(2);
    expect(total(after, 'delete') - total(before, 'delete')).toBe(1);
    expect(total(after, 'query') - total(before, 'query')).toBe(1);
    // Two documents left, one per batch: the find's first batch, then getMores.
    expect(total(after, 'getmore') - total(before, 'getmore')).toBeGreaterThanOrEqual(1);
    // The aggregate, and the serverStatus that read `before`, count as commands.
    expect(total(after, 'command') - total(before, 'command')).toBeGreaterThanOrEqual(2);
  });

  it('metrics.commands: per command name, how many ran and how many failed', async () => {
    const coll = ctx.client.db(freshName('db')).collection(freshName());
    await coll.insertOne({ _id: 1 } as never);
    await expect(coll.insertOne({ _id: 1 } as never)).rejects.toMatchObject({ code: 11000 });
    await expect(
      ctx.client.db('admin').command({ renameCollection: 'no.such', to: 'no.other' }),
    ).rejects.toMatchObject({ code: 26 });
    const { commands } = (await status()).metrics;
    expect(total(commands.insert, 'total')).toBeGreaterThanOrEqual(2);
    // A duplicate key is a write error in an ok reply, not a failed command, as in mongod.
    expect(total(commands.renameCollection, 'failed')).toBeGreaterThanOrEqual(1);
    expect(Object.keys(commands)).toEqual([...Object.keys(commands)].sort());
  });
});
