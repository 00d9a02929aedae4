import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

/**
 * collMod and explain on views, and $changeStream out of place, answered as mongod 7.0 does.
 */
type Row = { _id: number | string; g: number };

describe('embedded mongo: views in collMod and explain', () => {
  const ctx = useEmbeddedMongo();

  async function seeded() {
    const db = ctx.client.db(freshName('db'));
    const source = db.collection<Row>(freshName());
    await source.insertMany([
      { _id: 1, g: 1 },
      { _id: 2, g: 2 },
      { _id: 3, g: 2 },
    ]);
    await source.createIndex({ g: 1 });
    const view = freshName('v');
    await db.createCollection(view, {
      viewOn: source.collectionName,
      pipeline: [{ $match: { g: 2 } }],
    });
    return { db, source, view };
  }

  it('collMod of a view replaces viewOn and pipeline, shown by listCollections', async () => {
    const { db, source, view } = await seeded();
    await db.command({ collMod: view, pipeline: [{ $match: { g: 1 } }] });
    expect(await db.collection(view).find().toArray()).toEqual([{ _id: 1, g: 1 }]);
    const other = db.collection<Row>(freshName());
    await other.insertOne({ _id: 'x', g: 1 });
    await db.command({ collMod: view, viewOn: other.collectionName });
    expect(await db.collection(view).find().toArray()).toEqual([{ _id: 'x', g: 1 }]);
    const [info] = await db.listCollections({ name: view }).toArray();
    expect(info).toMatchObject({
      type: 'view',
      options: { viewOn: other.collectionName, pipeline: [{ $match: { g: 1 } }] },
    });
    await db.command({ collMod: view, viewOn: source.collectionName, pipeline: [] });
    expect(await db.collection(view).countDocuments()).toBe(3);
  });

  it('collMod refuses what mongod refuses on a view and keeps the old definition', async () => {
    const { db, view } = await seeded();
    for (const option of [
      { validator: { a: 1 } },
      { index: { name: 'g_1', hidden: true } },
      { changeStreamPreAndPostImages: { enabled: true } },
    ]) {
      await expect(db.command({ collMod: view, ...option })).rejects.toMatchObject({
        code: 72,
        codeName: 'InvalidOptions',
        message: `option not supported on a view: ${Object.keys(option)[0]}`,
      });
    }
    await expect(db.command({ collMod: view, pipeline: [{ $nope: 1 }] })).rejects.toMatchObject({
      code: 40324,
    });
    // A definition that reads itself is refused.
    await expect(db.command({ collMod: view, viewOn: view })).rejects.toMatchObject({
      code: 5,
      codeName: 'GraphContainsCycle',
    });
    expect(await db.collection(view).countDocuments()).toBe(2);
  });

  it('collMod refuses view options on a collection and unimplemented options with 72', async () => {
    const { db, source } = await seeded();
    await expect(db.command({ collMod: source.collectionName, viewOn: 'x' })).rejects.toMatchObject(
      { code: 72, message: 'option only supported on a view: viewOn' },
    );
    await expect(
      db.command({ collMod: source.collectionName, expireAfterSeconds: 5 }),
    ).rejects.toMatchObject({ code: 72, codeName: 'InvalidOptions' });
  });

  it('explain of a find on a view plans over the collection it reads, with its $match', async () => {
    const { db, source, view } = await seeded();
    const explained = await db
      .collection<Row>(view)
      .find({ _id: { $gte: 3 } })
      .explain('executionStats');
    expect(explained.queryPlanner.namespace).toBe(`${db.databaseName}.${source.collectionName}`);
    expect(explained.queryPlanner.winningPlan.inputStage).toMatchObject({
      stage: 'IXSCAN',
      indexName: 'g_1',
    });
    expect(explained.executionStats.nReturned).toBe(1);
    expect(explained.executionStats.totalDocsExamined).toBe(2);
  });

  it('refuses $changeStream after the first stage of a plain aggregate with 40602', async () => {
    const { source } = await seeded();
    await expect(
      source.aggregate([{ $match: {} }, { $changeStream: {} }]).toArray(),
    ).rejects.toMatchObject({
      code: 40602,
      message: '$changeStream is only valid as the first stage in a pipeline.',
    });
  });
});
