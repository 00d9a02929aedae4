import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AnyBulkWriteOperation, MongoClient, type WriteConcernSettings } from 'mongodb';
import { startEmbeddedMongo } from '../src/index.js';
import { fmt, percentile, sampleLatency } from './stats.js';

type Row = [what: string, journaled: string, unjournaled: string];

/**
 * Write throughput with a data directory. By default every acknowledgement waits for the
 * journal's fdatasync: one writer pays a whole sync per write, concurrent writers share one
 * (group commit), a batch pays one. Each is measured again with `j: false`, which answers before
 * the disk as every write did before acknowledgements waited for the journal: the same run, the
 * same load, so the two columns compare.
 */
export async function measureDurableWrites(quick: boolean): Promise<Row[]> {
  const journaled = await measureWrites(quick, undefined);
  const unjournaled = await measureWrites(quick, { w: 1, j: false });
  return journaled.map(([what, result], i) => [what, result, unjournaled[i]![1]]);
}

async function measureWrites(
  quick: boolean,
  writeConcern: WriteConcernSettings | undefined,
): Promise<Array<[string, string]>> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-mongo-'));
  const server = await startEmbeddedMongo({ port: 0, dataDir: dir });
  const client = new MongoClient(server.url, { maxPoolSize: 64, writeConcern });
  const rows: Array<[string, string]> = [];
  const label = `durable (${writeConcern ? 'j: false' : 'journaled'})`;
  try {
    await client.connect();
    const db = client.db('durable');

    console.error(`${label}: insertOne, one writer ...`);
    const single = db.collection('single');
    const lat = await sampleLatency(quick ? 300 : 1000, (i) => single.insertOne({ i }));
    rows.push([
      'insertOne, 1 writer: p50 / p99 latency',
      `${fmt(percentile(lat, 50), 0)} µs / ${fmt(percentile(lat, 99), 0)} µs`,
    ]);

    const writers = 32;
    const perWriter = quick ? 100 : 300;
    console.error(`${label}: insertOne, ${writers} concurrent writers ...`);
    const concurrent = db.collection('concurrent');
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) await concurrent.insertOne({ w, i });
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    rows.push([
      `insertOne, ${writers} concurrent writers (${fmt(writers * perWriter)} writes)`,
      `${fmt((writers * perWriter) / seconds)} ops/s`,
    ]);

    console.error(`${label}: insertMany batches of 1,000 ...`);
    const many = db.collection('many');
    const batches = quick ? 20 : 50;
    const t1 = performance.now();
    for (let b = 0; b < batches; b++) {
      await many.insertMany(
        Array.from({ length: 1000 }, (_, i) => ({ b, i, pad: 'x'.repeat(64) })),
      );
    }
    rows.push([
      'insertMany, batches of 1,000, one writer',
      `${fmt((batches * 1000) / ((performance.now() - t1) / 1000))} docs/s`,
    ]);

    console.error(`${label}: bulkWrite of 10k guarded upserts ...`);
    const upserts = db.collection<{ _id: string }>('upserts');
    const rates: number[] = [];
    for (let round = 0; round < 3; round++) {
      const ops: AnyBulkWriteOperation<{ _id: string }>[] = Array.from(
        { length: 10_000 },
        (_, i) => ({
          updateOne: {
            filter: { _id: `u-${i}`, revision: { $lt: round + 1 } },
            update: {
              $set: { revision: round + 1, balance: i },
              $setOnInsert: { ownerId: `o-${i}`, currency: 'USD' },
            },
            upsert: true,
          },
        }),
      );
      const t = performance.now();
      await upserts.bulkWrite(ops, { ordered: true });
      rates.push(10_000 / ((performance.now() - t) / 1000));
    }
    rows.push([
      'bulkWrite 10k upserts, ops/s (insert round, then 2 update rounds)',
      rates.map((r) => fmt(r)).join(' / '),
    ]);
  } finally {
    await client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
