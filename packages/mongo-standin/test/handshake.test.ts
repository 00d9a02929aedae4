import { MongoClient, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

describe('embedded mongo: handshake as a single-node replica set primary', () => {
  const ctx = useEmbeddedMongo();

  it('answers hello as the primary of rs0, naming the address the client dialled', async () => {
    const hello = await ctx.client.db('admin').command({ hello: 1 });
    const dialled = new URL(ctx.server.url).host;
    expect(hello).toMatchObject({
      isWritablePrimary: true,
      setName: 'rs0',
      me: dialled,
      hosts: [dialled],
      primary: dialled,
    });
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(17);
    expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
  });

  it('lets the driver see a replica set topology (so sessions and change streams are allowed)', async () => {
    const internals = ctx.client as unknown as { topology: { description: { type: string } } };
    expect(internals.topology.description.type).toBe('ReplicaSetWithPrimary');
    const session = ctx.client.startSession();
    const coll = ctx.client.db(freshName('db')).collection(freshName());
    await coll.insertOne({ a: 1 }, { session });
    expect(await coll.countDocuments({}, { session })).toBe(1);
    await session.endSession();
  });

  it('replies with $clusterTime and operationTime', async () => {
    const reply = await ctx.client.db('admin').command({ ping: 1 });
    expect(reply.ok).toBe(1);
    expect(reply.$clusterTime?.clusterTime?._bsontype).toBe('Timestamp');
    expect(reply.operationTime?._bsontype).toBe('Timestamp');
  });

  it('names an unknown command in error 59 CommandNotFound', async () => {
    const error = await ctx.client
      .db('admin')
      .command({ frobnicate: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 59, codeName: 'CommandNotFound' });
    expect((error as Error).message).toContain('frobnicate');
  });

  it('serves a second client that connects with directConnection', async () => {
    const url = new URL(ctx.server.url);
    const direct = new MongoClient(`mongodb://${url.host}/?directConnection=true`);
    try {
      const buildInfo = await direct.db('admin').command({ buildInfo: 1 });
      expect(buildInfo.version).toMatch(/^7\./);
    } finally {
      await direct.close();
    }
  });

  it('answers the status commands replica-set checkers use', async () => {
    const admin = ctx.client.db('admin');
    const status = await admin.command({ replSetGetStatus: 1 });
    expect(status).toMatchObject({
      set: 'rs0',
      myState: 1,
      members: [{ stateStr: 'PRIMARY', self: true }],
    });
    expect((await admin.command({ serverStatus: 1 })).repl).toMatchObject({
      setName: 'rs0',
      isWritablePrimary: true,
    });
    expect(await admin.command({ getParameter: 1, featureCompatibilityVersion: 1 })).toMatchObject({
      featureCompatibilityVersion: { version: '7.0' },
    });
    // Command names are case-sensitive, as in mongod.
    await expect(admin.command({ PING: 1 })).rejects.toMatchObject({ code: 59 });
  });

  it('lists, describes and drops databases and collections', async () => {
    const dbName = freshName('db');
    const db = ctx.client.db(dbName);
    await db.createCollection('empty');
    await db.collection('full').insertMany([{ a: 1 }, { a: 2 }]);
    await expect(db.createCollection('empty')).rejects.toMatchObject({
      code: 48,
      codeName: 'NamespaceExists',
    });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray())
      .map((c) => c.name)
      .sort();
    expect(names).toEqual(['empty', 'full']);
    const matching = await db.listCollections({ name: { $in: ['full', 'nope'] } }).toArray();
    expect(matching.map((c) => c.name)).toEqual(['full']);
    expect((await db.command({ collStats: 'full' })).count).toBe(2);
    expect((await db.command({ dbStats: 1 })).objects).toBe(2);
    const { databases } = await ctx.client.db('admin').admin().listDatabases();
    expect(databases.map((d) => d.name)).toContain(dbName);
    expect(await db.collection('full').drop()).toBe(true);
    await db.dropDatabase();
    const after = await ctx.client.db('admin').admin().listDatabases();
    expect(after.databases.map((d) => d.name)).not.toContain(dbName);
  });

  it('renames a collection with its documents and indexes', async () => {
    const db = ctx.client.db(freshName('db'));
    const source = db.collection('before');
    await source.createIndex({ email: 1 }, { unique: true });
    await source.insertOne({ email: 'a@x' });
    const renamed = await source.rename('after');
    expect(await renamed.countDocuments()).toBe(1);
    await expect(renamed.insertOne({ email: 'a@x' })).rejects.toMatchObject({ code: 11000 });
    expect(await db.collection('before').countDocuments()).toBe(0);
    await db.collection('other').insertOne({});
    await expect(db.collection('other').rename('after')).rejects.toMatchObject({ code: 48 });
  });
});
