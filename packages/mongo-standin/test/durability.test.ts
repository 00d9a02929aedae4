import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, expect, it } from 'vitest';
import { startEmbeddedMongo } from '../src/index.js';
import { killHard, startMongoProcess } from '../src/process.js';

const WRITERS = 8;
const KILLS = 3;

const children = new Set<ChildProcess>();
const dirs: string[] = [];
afterAll(async () => {
  for (const child of children) await killHard(child);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tally-mongo-durable-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string): Promise<{ child: ChildProcess; client: MongoClient }> {
  const { child, url } = await startMongoProcess(dir);
  children.add(child);
  child.once('exit', () => children.delete(child));
  // No retries: an operation cut off by the kill is simply not acknowledged.
  const client = new MongoClient(url, { retryWrites: false, serverSelectionTimeoutMS: 1000 });
  return { child, client };
}

type Written = { _id: string; w?: number; i?: number; seen?: number[] };

/** What the writers were told succeeded; each must be true after any crash. */
interface Acknowledged {
  inserted: Set<string>;
  deleted: Set<string>;
  /** Deletes sent, acknowledged or not: one cut off by the kill may have happened. */
  deleteSent: Set<string>;
  /** Values pushed into `log-<writer>.seen` by findOneAndUpdate and bulkWrite. */
  pushed: Map<number, number[]>;
}

it('keeps every acknowledged write across repeated SIGKILLs under concurrent writers', async () => {
  const dir = dataDir();
  const acked: Acknowledged = {
    inserted: new Set(),
    deleted: new Set(),
    deleteSent: new Set(),
    pushed: new Map(),
  };
  const nextStep = Array.from({ length: WRITERS }, () => 0);
  let acks = 0;

  for (let round = 0; round < KILLS; round++) {
    const { child, client } = await start(dir);
    const c = client.db('durable').collection<Written>('writes');
    // Kill after a random number of acknowledgements, while every writer is mid-write.
    const killAfter = acks + 100 + Math.floor(Math.random() * 200);
    let reachedTarget: () => void = () => {};
    const target = new Promise<void>((resolve) => {
      reachedTarget = resolve;
    });
    let stop = false;
    const ack = () => {
      acks++;
      if (acks >= killAfter) reachedTarget();
    };
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      const pushed = acked.pushed.get(w) ?? [];
      acked.pushed.set(w, pushed);
      while (!stop) {
        const i = nextStep[w]!++;
        try {
          switch (i % 4) {
            case 0:
              await c.insertOne({ _id: `${w}-${i}`, w, i });
              acked.inserted.add(`${w}-${i}`);
              break;
            case 1:
              await c.findOneAndUpdate(
                { _id: `log-${w}` },
                { $push: { seen: i } },
                { upsert: true },
              );
              pushed.push(i);
              break;
            case 2:
              await c.bulkWrite([
                { insertOne: { document: { _id: `${w}-${i}`, w, i } } },
                { updateOne: { filter: { _id: `log-${w}` }, update: { $push: { seen: i } } } },
              ]);
              acked.inserted.add(`${w}-${i}`);
              pushed.push(i);
              break;
            default:
              acked.deleteSent.add(`${w}-${i - 3}`);
              await c.deleteOne({ _id: `${w}-${i - 3}` });
              acked.deleted.add(`${w}-${i - 3}`);
          }
          ack();
        } catch {
          return; // the server died under us: this write's outcome is unknown
        }
      }
    });
    await target;
    stop = true;
    await killHard(child);
    await Promise.allSettled(writers);
    void client.close(true).catch(() => {});
  }

  const { child, client } = await start(dir);
  try {
    const c = client.db('durable').collection<Written>('writes');
    const ids = new Set((await c.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
    const lost = [...acked.inserted].filter((id) => !acked.deleteSent.has(id) && !ids.has(id));
    expect(lost).toEqual([]);
    const resurrected = [...acked.deleted].filter((id) => ids.has(id));
    expect(resurrected).toEqual([]);
    for (const [w, pushed] of acked.pushed) {
      const log = await c.findOne({ _id: `log-${w}` });
      const seen = new Set<number>(log?.seen ?? []);
      expect(pushed.filter((i) => !seen.has(i))).toEqual([]);
    }
    expect(acks).toBeGreaterThanOrEqual(KILLS * 100);
  } finally {
    await client.close(true);
    await killHard(child);
  }
});

it('with a data directory, change streams deliver writes once journaled, j: false ones included', async () => {
  const server = await startEmbeddedMongo({ port: 0, dataDir: dataDir() });
  const client = new MongoClient(server.url);
  try {
    const c = client.db('durable').collection<Written>('watched');
    const stream = c.watch();
    await stream.tryNext(); // open on the server before writing
    await c.insertOne({ _id: 'journaled', i: 1 });
    await c.insertOne({ _id: 'unjournaled', i: 2 }, { writeConcern: { w: 1, j: false } });
    const seen = [await stream.next(), await stream.next()];
    expect(seen.map((e) => (e.operationType === 'insert' ? e.documentKey._id : '?'))).toEqual([
      'journaled',
      'unjournaled',
    ]);
    await stream.close();
  } finally {
    await client.close();
    await server.close();
  }
});
