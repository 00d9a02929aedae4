import type { Binary } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

describe('embedded mongo: $listLocalSessions', () => {
  const ctx = useEmbeddedMongo();
  const admin = () => ctx.client.db('admin');
  const listed = async (spec: object) =>
    (await admin()
      .aggregate([{ $listLocalSessions: spec }])
      .toArray()) as Array<{
      _id: { id: Binary; uid: Binary };
      lastUse: Date;
    }>;
  const hex = (id: Binary) => Buffer.from(id.buffer).toString('hex');

  it('lists the sessions commands used, with the unauthenticated uid, until they end', async () => {
    const session = ctx.client.startSession();
    const coll = ctx.client.db(freshName('db')).collection<{ _id: number }>('c');
    await coll.insertOne({ _id: 1 }, { session });
    const id = hex(session.id?.id as Binary);
    const all = await listed({ allUsers: true });
    const mine = all.find((s) => hex(s._id.id) === id);
    expect(mine?.lastUse).toBeInstanceOf(Date);
    // mongod's uid without authentication: the SHA-256 of the empty string.
    expect(hex(mine?._id.uid as Binary)).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    // Without authentication every session is the (empty) current user's.
    expect((await listed({})).some((s) => hex(s._id.id) === id)).toBe(true);
    expect((await listed({ users: [{ user: '', db: '' }] })).length).toBeGreaterThan(0);
    expect(await listed({ users: [{ user: 'alice', db: 'admin' }] })).toEqual([]);
    // The session is still checked out, so the next commands use other (pooled) sessions.
    await admin().command({ endSessions: [{ id: session.id?.id }] });
    expect((await listed({ allUsers: true })).some((s) => hex(s._id.id) === id)).toBe(false);
    await session.endSession();
  });

  it('the stage can be followed by others, and is refused on a collection or with both arguments', async () => {
    const counted = await admin()
      .aggregate([{ $listLocalSessions: { allUsers: true } }, { $count: 'n' }])
      .toArray();
    expect(counted[0]?.n).toBeGreaterThan(0);
    const onCollection = await admin()
      .collection('c')
      .aggregate([{ $listLocalSessions: {} }])
      .toArray()
      .catch((e) => e);
    expect(onCollection.code).toBe(73);
    const both = await admin()
      .aggregate([{ $listLocalSessions: { allUsers: true, users: [{ user: 'a', db: 'b' }] } }])
      .toArray()
      .catch((e) => e);
    expect(both.code).toBe(12);
    const notFirst = await admin()
      .aggregate([{ $match: {} }, { $listLocalSessions: {} }])
      .toArray()
      .catch((e) => e);
    expect(notFirst.code).toBe(40602);
  });
});
