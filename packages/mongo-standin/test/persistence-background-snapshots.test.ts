import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { startEmbeddedMongo } from '../src/index.js';
import { killHard, startMongoProcess } from '../src/process.js';
import { RecordWriter, readRecords } from '../src/storage/record-file.js';
import { useDataDirs } from './support.js';

const dataDir = useDataDirs('tally-mongo-snap-');

/** A journal this small is snapshotted every few writes, so snapshots overlap writes all the time. */
const SMALL_JOURNAL = 16 * 1024;

/** The generation of the snapshot on disk: one per snapshot written since the directory was new. */
const snapshotGeneration = (dir: string) =>
  Number(readRecords(join(dir, 'snapshot.bin')).records[0]?.generation);

/** Writes `rounds` batches; every 10th round renames a scratch collection and drops another. */
async function writeRounds(
  client: MongoClient,
  rounds: { from: number; to: number },
  acknowledged: number[],
  onAcknowledged: () => void = () => {},
) {
  const db = client.db('ledger');
  for (let round = rounds.from; round < rounds.to; round++) {
    const batch = Array.from({ length: 20 }, (_, i) => ({
      _id: round * 20 + i,
      text: 'x'.repeat(200),
    }));
    await db
      .collection<{ _id: number; text: string }>('docs')
      .insertMany(batch, { writeConcern: { w: 'majority', j: true } });
    acknowledged.push(...batch.map((d) => d._id));
    onAcknowledged();
    if (round % 10 === 9) {
      const from = `scratch${round}`;
      await db.collection(from).insertOne({ round });
      await db.collection(from).rename(`renamed${round}`);
      await db.collection(`renamed${round}`).insertOne({ after: true });
      await db.createCollection(`dropped${round}`);
      await db.collection(`dropped${round}`).drop();
    }
  }
}

/** The store after a restart: every acknowledged document, renamed collections only under their new name. */
async function expectEverythingKept(client: MongoClient, acknowledged: number[]) {
  const db = client.db('ledger');
  const docs = db.collection<{ _id: number }>('docs');
  const ids = (await docs.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
  expect(new Set(ids)).toEqual(new Set(acknowledged));
  const names = (await db.listCollections().toArray()).map((c) => c.name);
  expect(names.filter((n) => n.startsWith('scratch') || n.startsWith('dropped'))).toEqual([]);
  for (const name of names.filter((n) => n.startsWith('renamed'))) {
    expect(await db.collection(name).countDocuments()).toBe(2);
  }
}

describe('embedded mongo: snapshots written in the background', () => {
  it('keeps every write made while a snapshot is being written, renames and drops included', async () => {
    const dir = dataDir();
    const acknowledged: number[] = [];
    const server = await startEmbeddedMongo({ dataDir: dir, journalSnapshotBytes: SMALL_JOURNAL });
    const client = new MongoClient(server.url);
    await writeRounds(client, { from: 0, to: 60 }, acknowledged);
    // More than the snapshot at start and the one at close: some were written in the background.
    expect(snapshotGeneration(dir)).toBeGreaterThan(3);
    await client.close();
    await server.close();

    const again = await startEmbeddedMongo({ dataDir: dir });
    const reader = new MongoClient(again.url);
    try {
      await expectEverythingKept(reader, acknowledged);
    } finally {
      await reader.close();
      await again.close();
    }
  });

  it('loses no acknowledged write when killed at any step of a background snapshot', async () => {
    const dir = dataDir();
    const acknowledged: number[] = [];
    const args = ['--journal-snapshot-bytes', String(SMALL_JOURNAL)];
    for (let kill = 0; kill < 4; kill++) {
      const { child, url } = await startMongoProcess(dir, args);
      const client = new MongoClient(url, { serverSelectionTimeoutMS: 2000 });
      // Killed while it writes: the writes in flight may or may not be kept, the acknowledged must.
      const target = acknowledged.length + 200 + kill * 70;
      let reached!: () => void;
      const enough = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const writing = writeRounds(
        client,
        { from: kill * 1000, to: (kill + 1) * 1000 },
        acknowledged,
        () => {
          if (acknowledged.length >= target) reached();
        },
      ).catch(() => undefined);
      await enough;
      await killHard(child);
      await writing;
      await client.close(true);
    }
    const { child, url } = await startMongoProcess(dir, args);
    const client = new MongoClient(url);
    try {
      await expectEverythingKept(client, acknowledged);
    } finally {
      await client.close();
      await killHard(child);
    }
  });

  it('after a crash between the new snapshot and the new journal, skips the journal the snapshot holds', async () => {
    // What a kill leaves between the two renames that end a background snapshot: the snapshot
    // of generation 2; the journal of generation 1, which it already holds (`a` was renamed to
    // `b`, then a new `a` made); and the journal of generation 2. Replayed over the snapshot,
    // the old journal's rename would carry the new `a`'s document into `b`.
    const dir = dataDir();
    const write = (file: string, records: object[]) => {
      const writer = RecordWriter.create(join(dir, file), 'w');
      for (const record of records) writer.add(record);
      writer.close();
    };
    write('snapshot.bin', [
      { t: 'meta', format: 'tally-embedded-mongo', version: 1, seq: 0, generation: 2 },
      { t: 'coll', db: 'ledger', c: 'a', indexes: [] },
      { t: 'doc', d: { _id: 3, in: 'the new a' } },
      { t: 'coll', db: 'ledger', c: 'b', indexes: [] },
      { t: 'doc', d: { _id: 1, in: 'the old a' } },
    ]);
    write('journal.bin', [
      { t: 'journal', generation: 1 },
      { t: 'create', db: 'ledger', c: 'a' },
      { t: 'put', db: 'ledger', c: 'a', d: { _id: 1, in: 'the old a' } },
      { t: 'rename', db: 'ledger', c: 'a', toDb: 'ledger', to: 'b' },
      { t: 'create', db: 'ledger', c: 'a' },
      { t: 'put', db: 'ledger', c: 'a', d: { _id: 3, in: 'the new a' } },
    ]);
    write('journal.next.bin', [
      { t: 'journal', generation: 2 },
      { t: 'put', db: 'ledger', c: 'b', d: { _id: 2, in: 'b, after the snapshot' } },
    ]);
    const server = await startEmbeddedMongo({ dataDir: dir });
    const client = new MongoClient(server.url);
    try {
      const db = client.db('ledger');
      expect(await db.collection('a').find().toArray()).toEqual([{ _id: 3, in: 'the new a' }]);
      expect(await db.collection('b').find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, in: 'the old a' },
        { _id: 2, in: 'b, after the snapshot' },
      ]);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
