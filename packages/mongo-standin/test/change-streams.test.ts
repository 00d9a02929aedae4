import type { ChangeStreamDocument, ChangeStreamOptions, ResumeToken } from 'mongodb';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { startEmbeddedMongo } from '../src/index.js';
import { freshName, useEmbeddedMongo } from './support.js';

type Account = { _id: string; balance: number; owner?: string };

describe('embedded mongo: change streams', () => {
  const ctx = useEmbeddedMongo();
  const coll = () => ctx.client.db(freshName('db')).collection<Account>(freshName());

  /**
   * Opens the stream and waits for the server cursor, so later writes are seen. A short
   * maxAwaitTimeMS keeps that first empty getMore brief.
   */
  async function watch(
    c: ReturnType<typeof coll>,
    pipeline: object[] = [],
    options: ChangeStreamOptions = {},
  ) {
    const stream = c.watch(pipeline, { maxAwaitTimeMS: 50, ...options });
    await stream.tryNext(); // runs the aggregate: the stream is live from here on
    return stream;
  }

  it('delivers insert, update (with updateDescription and looked-up document), replace and delete', async () => {
    const c = coll();
    const stream = await watch(c, [], { fullDocument: 'updateLookup' });
    await c.insertOne({ _id: 'a', balance: 1 });
    await c.updateOne({ _id: 'a' }, { $inc: { balance: 2 } });
    await c.replaceOne({ _id: 'a' }, { balance: 10, owner: 'o' });
    await c.deleteOne({ _id: 'a' });
    const events: ChangeStreamDocument<Account>[] = [];
    for (let i = 0; i < 4; i++) events.push(await stream.next());
    expect(events.map((e) => e.operationType)).toEqual(['insert', 'update', 'replace', 'delete']);
    expect(events[0]).toMatchObject({
      fullDocument: { _id: 'a', balance: 1 },
      documentKey: { _id: 'a' },
      ns: { coll: c.collectionName },
    });
    expect(events[1]).toMatchObject({
      updateDescription: { updatedFields: { balance: 3 }, removedFields: [] },
    });
    // updateLookup reads the document as it is now, so it may already show the replacement.
    expect(events[1]).toHaveProperty('fullDocument');
    expect(events[2]).toMatchObject({ fullDocument: { _id: 'a', balance: 10, owner: 'o' } });
    expect(events[3]).toMatchObject({ documentKey: { _id: 'a' } });
    expect(events.every((e) => typeof (e._id as { _data: string })._data === 'string')).toBe(true);
    await stream.close();
  });

  it('reports nested changes in updateDescription as dotted paths', async () => {
    const c = ctx.client
      .db(freshName('db'))
      .collection<{ _id: string; profile: { city: string; name?: string } }>(freshName());
    await c.insertOne({ _id: 'p', profile: { city: 'Oslo', name: 'Ada' } });
    const stream = c.watch([], { maxAwaitTimeMS: 50 });
    await stream.tryNext();
    await c.updateOne(
      { _id: 'p' },
      { $set: { 'profile.city': 'Bergen' }, $unset: { 'profile.name': '' } },
    );
    expect(await stream.next()).toMatchObject({
      operationType: 'update',
      updateDescription: {
        updatedFields: { 'profile.city': 'Bergen' },
        removedFields: ['profile.name'],
      },
    });
    await stream.close();
  });

  it('filters events with a $match stage on the change event', async () => {
    const c = coll();
    const stream = await watch(c, [{ $match: { 'fullDocument.owner': 'keep' } }]);
    await c.insertMany([
      { _id: '1', balance: 0, owner: 'drop' },
      { _id: '2', balance: 0, owner: 'keep' },
    ]);
    const event = await stream.next();
    expect(event).toMatchObject({ operationType: 'insert', documentKey: { _id: '2' } });
    await stream.close();
  });

  it('resumes after a token without missing or repeating events', async () => {
    const c = coll();
    const first = await watch(c);
    await c.insertOne({ _id: 'r1', balance: 1 });
    const seen = await first.next();
    await first.close();
    await c.insertOne({ _id: 'r2', balance: 2 });
    await c.insertOne({ _id: 'r3', balance: 3 });
    const resumed = c.watch([], { resumeAfter: seen._id as ResumeToken });
    expect(await resumed.next()).toMatchObject({ documentKey: { _id: 'r2' } });
    expect(await resumed.next()).toMatchObject({ documentKey: { _id: 'r3' } });
    await resumed.close();
    const started = c.watch([], { startAfter: seen._id as ResumeToken });
    expect(await started.next()).toMatchObject({ documentKey: { _id: 'r2' } });
    await started.close();
  });

  it('keeps a resume token even when a wait ends with no events (postBatchResumeToken)', async () => {
    const c = coll();
    const stream = await watch(c, [], { maxAwaitTimeMS: 50 });
    expect(await stream.tryNext()).toBeNull();
    expect(stream.resumeToken).toMatchObject({ _data: expect.any(String) });
    await stream.close();
  });

  it('waits for events without blocking other clients, and wakes on a write', async () => {
    const c = coll();
    // Default await (about 1 s per getMore); starting at a known time means the insert below is
    // seen whether or not the stream's aggregate ran first.
    const { operationTime } = await c.db.command({ ping: 1 });
    const stream = c.watch([], { startAtOperationTime: operationTime });
    const next = stream.next(); // parks a getMore on the server
    // Other operations go through while the getMore waits.
    expect(await c.countDocuments()).toBe(0);
    await c.insertOne({ _id: 'late', balance: 9 });
    expect((await next).operationType).toBe('insert');
    await stream.close();
  });

  it('ends a collection stream with drop then invalidate', async () => {
    const c = coll();
    await c.insertOne({ _id: 'x', balance: 0 });
    const stream = await watch(c);
    await c.drop();
    expect((await stream.next()).operationType).toBe('drop');
    expect((await stream.next()).operationType).toBe('invalidate');
    await stream.close();
  });

  it('ends a collection stream with rename then invalidate', async () => {
    const c = coll();
    await c.insertOne({ _id: 'x', balance: 0 });
    const stream = await watch(c);
    await c.rename(`${c.collectionName}_renamed`);
    expect(await stream.next()).toMatchObject({
      operationType: 'rename',
      to: { coll: `${c.collectionName}_renamed` },
    });
    expect((await stream.next()).operationType).toBe('invalidate');
    await stream.close();
  });

  it('reports ChangeStreamHistoryLost (286) when resuming from before the kept history', async () => {
    const small = await startEmbeddedMongo({ port: 0, changeHistory: 5 });
    const client = new MongoClient(small.url);
    try {
      const c = client.db('h').collection<Account>('c');
      const first = await watch(c);
      await c.insertOne({ _id: 'old', balance: 0 });
      const token = (await first.next())._id as ResumeToken;
      await first.close();
      await c.insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: `n${i}`, balance: i })));
      const resumed = c.watch([], { resumeAfter: token });
      await expect(resumed.next()).rejects.toMatchObject({
        code: 286,
        codeName: 'ChangeStreamHistoryLost',
      });
      await resumed.close();
    } finally {
      await client.close();
      await small.close();
    }
  });
});
