import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Binary, type Db, MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { startEmbeddedMongo } from '../src/index.js';
import { killHard, startMongoProcess } from '../src/process.js';
import { frameRecord } from '../src/storage/record-file.js';
import { freshName, useEmbeddedMongo } from './support.js';

async function collectionInfo(db: Db, name: string) {
  const [info] = await db.listCollections({ name }).toArray();
  return info as { options: Record<string, unknown>; info: { uuid: Binary } };
}

const hex = (uuid: Binary) => Buffer.from(uuid.buffer).toString('hex');

describe('embedded mongo: collection identity and options', () => {
  const ctx = useEmbeddedMongo();

  it('gives each collection its own UUID: new after drop and create, kept by rename', async () => {
    const db = ctx.client.db(freshName('db'));
    const name = freshName();
    await db.createCollection(name);
    const first = (await collectionInfo(db, name)).info.uuid;
    expect(first.sub_type).toBe(4);
    await db.collection(name).drop();
    await db.createCollection(name);
    const second = (await collectionInfo(db, name)).info.uuid;
    expect(hex(second)).not.toBe(hex(first));
    await db.collection(name).rename(`${name}_renamed`);
    const renamed = (await collectionInfo(db, `${name}_renamed`)).info.uuid;
    expect(hex(renamed)).toBe(hex(second));
  });

  it('sets changeStreamPreAndPostImages by create and collMod, shown in listCollections options', async () => {
    const db = ctx.client.db(freshName('db'));
    const name = freshName();
    await db.createCollection(name, { changeStreamPreAndPostImages: { enabled: true } });
    expect((await collectionInfo(db, name)).options).toEqual({
      changeStreamPreAndPostImages: { enabled: true },
    });
    await db.command({ collMod: name, changeStreamPreAndPostImages: { enabled: false } });
    expect((await collectionInfo(db, name)).options).toEqual({});
    await db.command({ collMod: name, changeStreamPreAndPostImages: { enabled: true } });
    expect((await collectionInfo(db, name)).options).toEqual({
      changeStreamPreAndPostImages: { enabled: true },
    });
  });

  it('refuses collMod options it does not implement, naming them, and a missing collection', async () => {
    const db = ctx.client.db(freshName('db'));
    const name = freshName();
    await db.createCollection(name);
    await expect(db.command({ collMod: name, validator: { a: 1 } })).rejects.toMatchObject({
      code: 72,
      codeName: 'InvalidOptions',
      message: expect.stringContaining("'validator'"),
    });
    await expect(db.command({ collMod: name, noSuchOption: 1 })).rejects.toMatchObject({
      code: 40415,
      message: "BSON field 'collMod.noSuchOption' is an unknown field.",
    });
    await expect(
      db.command({ collMod: name, changeStreamPreAndPostImages: { enabled: 1 } }),
    ).rejects.toMatchObject({ code: 14, codeName: 'TypeMismatch' });
    await expect(
      db.command({ collMod: freshName(), changeStreamPreAndPostImages: { enabled: true } }),
    ).rejects.toMatchObject({ code: 26, codeName: 'NamespaceNotFound' });
    expect((await collectionInfo(db, name)).options).toEqual({});
  });

  it('keeps UUIDs and options across a restart from the data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mongo-identity-'));
    try {
      let server = await startEmbeddedMongo({ port: 0, dataDir: dir });
      let client = new MongoClient(server.url);
      const db = () => client.db('identity');
      await db().createCollection('journaled');
      await db().command({ collMod: 'journaled', changeStreamPreAndPostImages: { enabled: true } });
      await db().createCollection('renamed_from');
      await db().collection('renamed_from').rename('renamed_to');
      const before = {
        journaled: hex((await collectionInfo(db(), 'journaled')).info.uuid),
        renamed: hex((await collectionInfo(db(), 'renamed_to')).info.uuid),
      };
      await client.close();
      await server.close();
      server = await startEmbeddedMongo({ port: 0, dataDir: dir });
      client = new MongoClient(server.url);
      try {
        const journaled = await collectionInfo(db(), 'journaled');
        expect(hex(journaled.info.uuid)).toBe(before.journaled);
        expect(journaled.options).toEqual({ changeStreamPreAndPostImages: { enabled: true } });
        expect(hex((await collectionInfo(db(), 'renamed_to')).info.uuid)).toBe(before.renamed);
      } finally {
        await client.close();
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replays UUIDs and collMod from the journal after a SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mongo-identity-'));
    try {
      const first = await startMongoProcess(dir);
      let client = new MongoClient(first.url);
      const db = () => client.db('journal');
      await db().createCollection('kept');
      await db().command({ collMod: 'kept', changeStreamPreAndPostImages: { enabled: true } });
      const uuid = hex((await collectionInfo(db(), 'kept')).info.uuid);
      await client.close();
      await killHard(first.child); // acknowledged, so journaled; no snapshot written
      const second = await startMongoProcess(dir);
      client = new MongoClient(second.url);
      try {
        const info = await collectionInfo(db(), 'kept');
        expect(hex(info.info.uuid)).toBe(uuid);
        expect(info.options).toEqual({ changeStreamPreAndPostImages: { enabled: true } });
      } finally {
        await client.close();
        await killHard(second.child);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads a data directory written before collections had UUIDs, giving them one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mongo-identity-'));
    try {
      const records = [
        { t: 'meta', format: 'tally-embedded-mongo', version: 1, seq: 0, at: new Date() },
        { t: 'coll', db: 'old', c: 'accounts', indexes: [] },
        { t: 'doc', d: { _id: 'a', balance: 5 } },
      ];
      writeFileSync(join(dir, 'snapshot.bin'), Buffer.concat(records.map(frameRecord)));
      const server = await startEmbeddedMongo({ port: 0, dataDir: dir });
      const client = new MongoClient(server.url);
      try {
        const db = client.db('old');
        expect(await db.collection('accounts').findOne({ _id: 'a' } as object)).toEqual({
          _id: 'a',
          balance: 5,
        });
        const info = await collectionInfo(db, 'accounts');
        expect(info.info.uuid.sub_type).toBe(4);
        expect(info.options).toEqual({});
      } finally {
        await client.close();
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
