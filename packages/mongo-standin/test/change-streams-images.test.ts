import type { ChangeStream, ChangeStreamOptions, Collection, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

/**
 * fullDocument / fullDocumentBeforeChange as mongod 7.0 answers them (the specifications'
 * change-streams-pre_and_post_images tests): images exist only for writes made while the
 * collection had changeStreamPreAndPostImages enabled.
 */
describe('embedded mongo: change stream pre- and post-images', () => {
  const ctx = useEmbeddedMongo();

  async function collection(images: boolean): Promise<Collection> {
    const db = ctx.client.db(freshName('db'));
    const coll = db.collection(freshName());
    await db.createCollection(coll.collectionName);
    await coll.insertOne({ _id: 1 } as Document);
    await db.command({
      collMod: coll.collectionName,
      changeStreamPreAndPostImages: { enabled: images },
    });
    return coll;
  }

  async function watch(coll: Collection, options: ChangeStreamOptions): Promise<ChangeStream> {
    const stream = coll.watch([], { maxAwaitTimeMS: 50, ...options });
    await stream.tryNext();
    return stream;
  }

  it('gives post- and pre-images of an update when enabled', async () => {
    const coll = await collection(true);
    const post = await watch(coll, { fullDocument: 'required' });
    const pre = await watch(coll, { fullDocumentBeforeChange: 'required' });
    await coll.updateOne({ _id: 1 } as Document, { $set: { x: 1 } });
    expect(await post.next()).toMatchObject({
      operationType: 'update',
      fullDocument: { _id: 1, x: 1 },
    });
    expect(await pre.next()).toMatchObject({
      operationType: 'update',
      fullDocumentBeforeChange: { _id: 1 },
    });
    await post.close();
    await pre.close();
  });

  it('gives null for whenAvailable when disabled, and no field for off', async () => {
    const coll = await collection(false);
    const post = await watch(coll, { fullDocument: 'whenAvailable' });
    const pre = await watch(coll, { fullDocumentBeforeChange: 'whenAvailable' });
    const off = await watch(coll, { fullDocumentBeforeChange: 'off' });
    await coll.updateOne({ _id: 1 } as Document, { $set: { x: 1 } });
    expect(await post.next()).toMatchObject({ operationType: 'update', fullDocument: null });
    expect(await pre.next()).toMatchObject({ fullDocumentBeforeChange: null });
    expect(await off.next()).not.toHaveProperty('fullDocumentBeforeChange');
    for (const stream of [post, pre, off]) await stream.close();
  });

  it("fails 'required' with 47 NoMatchingDocument when the image was not recorded", async () => {
    const coll = await collection(false);
    const post = await watch(coll, { fullDocument: 'required' });
    const pre = await watch(coll, { fullDocumentBeforeChange: 'required' });
    await coll.updateOne({ _id: 1 } as Document, { $set: { x: 1 } });
    await expect(post.next()).rejects.toMatchObject({
      code: 47,
      codeName: 'NoMatchingDocument',
      message: expect.stringContaining('require a post-image for all update events'),
    });
    await expect(pre.next()).rejects.toMatchObject({
      code: 47,
      message: expect.stringContaining('require a pre-image for all update, delete and replace'),
    });
    expect(post.closed && pre.closed).toBe(true);
  });

  it('records pre-images only while enabled, for replace and delete too', async () => {
    const coll = await collection(true);
    const stream = await watch(coll, { fullDocumentBeforeChange: 'whenAvailable' });
    await coll.replaceOne({ _id: 1 } as Document, { v: 'replaced' });
    await coll.db.command({
      collMod: coll.collectionName,
      changeStreamPreAndPostImages: { enabled: false },
    });
    await coll.deleteOne({ _id: 1 } as Document);
    expect(await stream.next()).toMatchObject({
      operationType: 'replace',
      fullDocument: { _id: 1, v: 'replaced' },
      fullDocumentBeforeChange: { _id: 1 },
    });
    expect(await stream.next()).toMatchObject({
      operationType: 'delete',
      fullDocumentBeforeChange: null,
    });
    await stream.close();
  });

  it('refuses an unknown fullDocument mode with BadValue', async () => {
    const coll = await collection(false);
    const stream = coll.watch([], { fullDocument: 'sometimes' as 'default' });
    await expect(stream.tryNext()).rejects.toMatchObject({
      code: 2,
      message:
        "Enumeration value 'sometimes' for field '$changeStream.fullDocument' is not a valid value.",
    });
    await stream.close();
  });
});
