import { cpus, totalmem } from 'node:os';
import { type AnyBulkWriteOperation, type Collection, MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../src/index.js';
import { measureDurableWrites } from './durable-writes.js';
import { fmt, liveBytes, percentile, sampleLatency } from './stats.js';

/**
 * `npm run bench:mongo [-- --quick]`: measures the embedded MongoDB stand-in through the official
 * driver (server and client in this process, over loopback) and prints a Markdown table.
 * Ratios compare against baselines measured in the same run: the small collection for lookups,
 * a `ping` round trip for per-request costs. BENCH_MONGO_DOCS sets the large size
 * (default 1,000,000; --quick: 100,000). A second table measures writes with a data directory,
 * where each acknowledgement waits for the journal's fdatasync; `--durable` runs only that one.
 */
type Doc = { _id: string; ownerId: string; revision: number; balance: number; currency: string };

const quick = process.argv.includes('--quick');
const durableOnly = process.argv.includes('--durable');
const SMALL = 1_000;
const LARGE = Number(process.env.BENCH_MONGO_DOCS ?? (quick ? 100_000 : 1_000_000));
const SAMPLES = quick ? 1_000 : 3_000;

const rows: Array<[string, string, string, string]> = [];
const report = (what: string, small: string, large: string, ratio: string) => {
  rows.push([what, small, large, ratio]);
  console.error(`  ${what}: ${small} | ${large} | ${ratio}`);
};
const us = (n: number) => `${fmt(n, 0)} µs`;

const doc = (i: number): Doc => ({
  _id: `acc-${i}`,
  ownerId: `owner-${i}`,
  revision: i % 100,
  balance: i,
  currency: 'USD',
});

async function load(c: Collection<Doc>, count: number): Promise<number> {
  const started = performance.now();
  const batch = 10_000;
  for (let i = 0; i < count; i += batch) {
    const docs = Array.from({ length: Math.min(batch, count - i) }, (_, k) => doc(i + k));
    await c.insertMany(docs, { ordered: false });
  }
  return performance.now() - started;
}

async function measureInMemory(): Promise<void> {
  const server = await startEmbeddedMongo({ port: 0 });
  const client = new MongoClient(server.url);
  await client.connect();
  const db = client.db('bench');
  try {
    console.error(`ping baseline ...`);
    const ping = await sampleLatency(SAMPLES, () => db.command({ ping: 1 }));
    const pingP50 = percentile(ping, 50);
    report(
      'ping round trip p50 / p99 (baseline)',
      `${us(pingP50)} / ${us(percentile(ping, 99))}`,
      '',
      '1.00',
    );

    const sizes = [SMALL, LARGE];
    const results: Record<string, number[][]> = { id: [], owner: [] };
    let bytesPerDoc = 0;
    for (const size of sizes) {
      const c = db.collection<Doc>(`accounts_${size}`);
      await c.createIndex({ ownerId: 1 });
      const before = liveBytes();
      console.error(`loading ${fmt(size)} documents ...`);
      const loadMs = await load(c, size);
      if (size === LARGE) {
        bytesPerDoc = (liveBytes() - before) / size;
        console.error(
          `  loaded in ${fmt(loadMs / 1000, 1)} s (${fmt(size / (loadMs / 1000))} docs/s)`,
        );
      }
      const pick = (i: number) => (i * 7919) % size;
      results.id!.push(await sampleLatency(SAMPLES, (i) => c.findOne({ _id: `acc-${pick(i)}` })));
      results.owner!.push(
        await sampleLatency(SAMPLES, (i) => c.findOne({ ownerId: `owner-${pick(i)}` })),
      );
    }
    for (const [key, label] of [
      ['id', 'findOne by _id'],
      ['owner', 'findOne by indexed field'],
    ] as const) {
      const [small, large] = results[key]!;
      for (const p of [50, 99]) {
        const a = percentile(small!, p);
        const b = percentile(large!, p);
        report(
          `${label} p${p} (1k → ${fmt(LARGE)})`,
          us(a),
          us(b),
          `${fmt(b / a, 2)} (large/small); ${fmt(a / pingP50, 2)}× ping`,
        );
      }
    }
    report(
      `memory per ${fmt(1_000_000)} small documents (5 fields, 1 secondary index)`,
      '',
      `${fmt((bytesPerDoc * 1_000_000) / 2 ** 20, 0)} MiB`,
      `${fmt(bytesPerDoc, 0)} B/doc`,
    );

    console.error('bulkWrite of 10k guarded upserts ...');
    const upserts = db.collection<Doc>('upserts');
    const rates: number[] = [];
    for (let round = 0; round < 3; round++) {
      const ops: AnyBulkWriteOperation<Doc>[] = Array.from({ length: 10_000 }, (_, i) => ({
        updateOne: {
          filter: { _id: `u-${i}`, revision: { $lt: round + 1 } },
          update: {
            $set: { revision: round + 1, balance: i },
            $setOnInsert: { ownerId: `o-${i}`, currency: 'USD' },
          },
          upsert: true,
        },
      }));
      const t0 = performance.now();
      await upserts.bulkWrite(ops, { ordered: true });
      rates.push(10_000 / ((performance.now() - t0) / 1000));
    }
    const best = Math.max(...rates);
    report(
      'bulkWrite 10k upserts (insert round, then 2 update rounds)',
      rates.map((r) => fmt(r)).join(' / '),
      `${fmt(best)} ops/s best`,
      `${fmt(1e6 / best / pingP50, 3)}× ping per op`,
    );

    console.error('change stream latency ...');
    const watched = db.collection<Doc>('watched');
    const stream = watched.watch([], { maxAwaitTimeMS: 1000 });
    await stream.tryNext();
    const lat = await sampleLatency(quick ? 300 : 1000, async (i) => {
      const event = stream.next();
      await watched.insertOne(doc(1_000_000_000 + i + Math.floor(Math.random() * 1e9)));
      await event;
    });
    report(
      'change event: insert → watcher, p50 / p99 (includes the insert round trip)',
      `${us(percentile(lat, 50))} / ${us(percentile(lat, 99))}`,
      '',
      `${fmt(percentile(lat, 50) / pingP50, 2)}× ping`,
    );
    await stream.close();
  } finally {
    await client.close();
    await server.close();
  }
}

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}`;
if (!durableOnly) {
  await measureInMemory();
  console.log(`\nEmbedded MongoDB stand-in: ${machine}, large = ${fmt(LARGE)} documents\n`);
  console.log('| measurement | small (1k) | large | ratio |');
  console.log('| --- | --- | --- | --- |');
  for (const [what, small, large, ratio] of rows)
    console.log(`| ${what} | ${small} | ${large} | ${ratio} |`);
}
const durable = await measureDurableWrites(quick);
console.log(`\nWith a data directory (journaled writes): ${machine}\n`);
console.log('| measurement | journaled (default) | `j: false` (as before) |');
console.log('| --- | --- | --- |');
for (const [what, result, detail] of durable) console.log(`| ${what} | ${result} | ${detail} |`);
