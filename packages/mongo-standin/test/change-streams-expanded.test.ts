import type { ChangeStream, ChangeStreamOptions, Collection, Db, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

/**
 * The shapes of mongod 7.0's change events as the specifications' unified tests check them
 * (change-streams-showExpandedEvents, change-streams-disambiguatedPaths, change-streams "Test
 * array truncation"), through the official driver.
 */
describe('embedded mongo: change streams with showExpandedEvents', () => {
  const ctx = useEmbeddedMongo();

  async function watch(
    target: Collection | Db,
    options: ChangeStreamOptions = {},
  ): Promise<ChangeStream> {
    const stream = target.watch([], { maxAwaitTimeMS: 50, ...options });
    await stream.tryNext(); // the aggregate has run: later writes are seen
    return stream;
  }

  async function fresh() {
    const db = ctx.client.db(freshName('db'));
    const coll = db.collection(freshName());
    await db.createCollection(coll.collectionName);
    const [info] = await db.listCollections({ name: coll.collectionName }).toArray();
    return { db, coll, uuid: (info as { info: { uuid: unknown } }).info.uuid };
  }

  it('reports collectionUUID, createIndexes and a rename with operationDescription', async () => {
    const { db, coll, uuid } = await fresh();
    const existing = freshName('existing');
    await db.createCollection(existing);
    const stream = await watch(coll, { showExpandedEvents: true });
    await coll.insertOne({ a: 1 });
    await coll.createIndex({ x: 1 }, { name: 'x_1' });
    await coll.rename(existing, { dropTarget: true });
    const insert = await stream.next();
    expect(insert).toMatchObject({ operationType: 'insert', collectionUUID: uuid });
    expect(await stream.next()).toMatchObject({
      operationType: 'createIndexes',
      ns: { db: db.databaseName, coll: coll.collectionName },
      collectionUUID: uuid,
      operationDescription: { indexes: [{ v: 2, key: { x: 1 }, name: 'x_1' }] },
    });
    const rename = (await stream.next()) as Document;
    expect(rename).toMatchObject({
      operationType: 'rename',
      to: { db: db.databaseName, coll: existing },
      operationDescription: { to: { db: db.databaseName, coll: existing } },
    });
    expect(rename.operationDescription.dropTarget).toBeDefined();
    expect((await stream.next()).operationType).toBe('invalidate');
    await stream.close();
  });

  it('reports dropIndexes and modify (collMod, even with no option)', async () => {
    const { coll, db, uuid } = await fresh();
    await coll.createIndex({ x: 1 }, { name: 'x_1' });
    const stream = await watch(coll, { showExpandedEvents: true });
    await coll.dropIndex('x_1');
    await db.command({ collMod: coll.collectionName });
    await db.command({
      collMod: coll.collectionName,
      changeStreamPreAndPostImages: { enabled: true },
    });
    expect(await stream.next()).toMatchObject({
      operationType: 'dropIndexes',
      operationDescription: { indexes: [{ v: 2, key: { x: 1 }, name: 'x_1' }] },
    });
    expect(await stream.next()).toMatchObject({
      operationType: 'modify',
      operationDescription: {},
    });
    expect(await stream.next()).toMatchObject({
      operationType: 'modify',
      collectionUUID: uuid,
      operationDescription: { changeStreamPreAndPostImages: { enabled: true } },
      stateBeforeChange: { collectionOptions: { uuid } },
    });
    await stream.close();
  });

  it('reports create on a database stream, and no DDL events without showExpandedEvents', async () => {
    const db = ctx.client.db(freshName('db'));
    const expanded = await watch(db, { showExpandedEvents: true });
    const plain = await watch(db);
    const name = freshName();
    await db.createCollection(name);
    await db.collection(name).createIndex({ y: 1 });
    await db.collection(name).insertOne({ _id: 1 } as Document);
    expect(await expanded.next()).toMatchObject({
      operationType: 'create',
      ns: { db: db.databaseName, coll: name },
      operationDescription: { idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } },
    });
    expect((await expanded.next()).operationType).toBe('createIndexes');
    // The plain stream sees only the insert, without collectionUUID.
    const insert = (await plain.next()) as Document;
    expect(insert.operationType).toBe('insert');
    expect(insert).not.toHaveProperty('collectionUUID');
    await expanded.close();
    await plain.close();
  });

  it('gives disambiguatedPaths only with showExpandedEvents, array indexes as ints', async () => {
    const { coll } = await fresh();
    await coll.insertMany([
      { _id: 1, a: { '1': 1 } },
      { _id: 2, a: [{ '1': 1 }] },
    ] as Document[]);
    const plain = await watch(coll);
    const expanded = await watch(coll, { showExpandedEvents: true });
    await coll.updateOne({ _id: 1 } as Document, { $set: { 'a.1': 2 } });
    await coll.updateOne({ _id: 2 } as Document, { $set: { 'a.0.1': 2 } });
    const plainEvent = (await plain.next()) as Document;
    expect(plainEvent.updateDescription).toEqual({
      updatedFields: { 'a.1': 2 },
      removedFields: [],
      truncatedArrays: [],
    });
    expect(((await expanded.next()) as Document).updateDescription).toEqual({
      updatedFields: { 'a.1': 2 },
      removedFields: [],
      truncatedArrays: [],
      disambiguatedPaths: { 'a.1': ['a', '1'] },
    });
    expect(((await expanded.next()) as Document).updateDescription).toMatchObject({
      updatedFields: { 'a.0.1': 2 },
      disambiguatedPaths: { 'a.0.1': ['a', 0, '1'] },
    });
    await plain.close();
    await expanded.close();
  });

  it('reports array truncation, appends as indexes, and reordered fields as mongod does', async () => {
    const { coll } = await fresh();
    await coll.insertOne({
      _id: 1,
      a: 1,
      array: ['foo', { a: 'bar' }, 1, 2, 3],
      list: [1],
    } as Document);
    const stream = await watch(coll);
    await coll.updateOne({ _id: 1 } as Document, [{ $set: { array: ['foo', { a: 'bar' }] } }]);
    await coll.updateOne(
      { _id: 1 } as Document,
      { $push: { list: { $each: [2, 3] } } } as Document,
    );
    expect(((await stream.next()) as Document).updateDescription).toEqual({
      updatedFields: {},
      removedFields: [],
      truncatedArrays: [{ field: 'array', newSize: 2 }],
    });
    expect(((await stream.next()) as Document).updateDescription).toEqual({
      updatedFields: { 'list.1': 2, 'list.2': 3 },
      removedFields: [],
      truncatedArrays: [],
    });
    await stream.close();
  });
});
