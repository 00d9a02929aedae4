import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { END, EventStoreDBClient, jsonEvent, START } from '@eventstore/db-client';
import { type ChildServer, startChildServer } from './child-server.js';
import { flood } from './flood.js';
import { measureFdatasyncRate } from './fsync-rate.js';
import { rawCatchUpRate } from './raw-reader.js';
import { storeAppendRate } from './store-appends.js';
import { measureStoreOpen } from './store-open.js';

/**
 * `npm run bench:eventstore [-- --quick]`: measures the embedded EventStoreDB stand-in through the
 * real client, against a server in its own process, and prints a table. BENCH_EVENTS sets the
 * size of the large log (default 1,000,000; --quick: 100,000).
 */
const quick = process.argv.includes('--quick');
const LARGE = Number(process.env.BENCH_EVENTS ?? (quick ? 100_000 : 1_000_000));
const APPEND_MS = quick ? 1500 : 3000;
const LATENCY_SAMPLES = quick ? 300 : 1000;

const rows: Array<[string, string, string]> = [];
const report = (what: string, value: string, note = '') => {
  rows.push([what, value, note]);
  console.error(`  ${what}: ${value} ${note}`);
};
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mib = (bytes: number) => `${fmt(bytes / 1024 / 1024, 1)} MiB`;

const root = mkdtempSync(join(tmpdir(), 'tally-es-bench-'));
try {
  await benchAppends();
  await benchLargeLog();
} finally {
  rmSync(root, { recursive: true, force: true });
}

console.log(
  `\nEmbedded EventStoreDB stand-in — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}, large log = ${fmt(LARGE)} events\n`,
);
console.log('| measurement | result | note |');
console.log('| --- | --- | --- |');
for (const [what, value, note] of rows) console.log(`| ${what} | ${value} | ${note} |`);

/**
 * The disk's fdatasync rate drifts (a shared VM: 400 to 5,000 per second within minutes), so each
 * append figure is compared with the mean of baselines taken right before and right after it.
 */
async function benchAppends(): Promise<void> {
  const server = await startChildServer(join(root, 'appends'));
  const client = EventStoreDBClient.connectionString(server.url);
  try {
    // Warm up the connection and the BatchAppend call.
    await client.appendToStream('warmup', jsonEvent({ type: 'Warm', data: {} }));
    for (const concurrency of [1, 16, 64]) {
      console.error(`appends at concurrency ${concurrency} ...`);
      const before = measureFdatasyncRate(root, 1000);
      let count = 0;
      const started = performance.now();
      const deadline = started + APPEND_MS;
      await Promise.all(
        Array.from({ length: concurrency }, async (_, worker) => {
          const stream = `bench-c${concurrency}-w${worker}`;
          while (performance.now() < deadline) {
            await client.appendToStream(
              stream,
              jsonEvent({ type: 'Deposited', data: { amount: 100, worker } }),
            );
            count++;
          }
        }),
      );
      const rate = count / ((performance.now() - started) / 1000);
      const baseline = (before + measureFdatasyncRate(root, 1000)) / 2;
      report(
        `single-event appends/s through the client, concurrency ${concurrency}`,
        `${fmt(rate)} /s`,
        `${fmt(rate / baseline, 2)}× the disk's fdatasync rate (${fmt(baseline)} /s, measured around it)`,
      );
    }
    // The client's own flood test: with its default deadline every append should be acknowledged.
    // Then with a deadline half as long as that flood took, so that part of it misses: every
    // refused append must be absent from the stream.
    console.error('flood of 10,000 appends ...');
    const full = await flood(client, 10_000);
    const half = Math.max(100, Math.round(full.seconds * 500));
    for (const [deadline, result] of [
      [undefined, full],
      [half, await flood(client, 10_000, half)],
    ] as const) {
      report(
        `flood: 10,000 ~1 KB appends issued in one turn, ${deadline ? `${fmt(deadline)} ms` : 'default (10 s)'} deadline`,
        `${fmt(result.rate)} acknowledged/s`,
        `${fmt(result.acknowledged)} acknowledged, ${fmt(result.refused)} refused (Timeout), ${fmt(result.refusedButWritten)} refused yet written`,
      );
    }
  } finally {
    await client.dispose();
    await server.stop();
  }
  for (const concurrency of [1, 64]) {
    const before = measureFdatasyncRate(root, 1000);
    const { rate, perSync } = await storeAppendRate(
      join(root, `store-${concurrency}`),
      concurrency,
      APPEND_MS,
    );
    const baseline = (before + measureFdatasyncRate(root, 1000)) / 2;
    report(
      `single-event appends/s into the store without gRPC, concurrency ${concurrency}`,
      `${fmt(rate)} /s`,
      `${fmt(rate / baseline, 2)}× the fdatasync rate (${fmt(baseline)} /s); ${fmt(perSync, 1)} appends per fdatasync`,
    );
  }
}

async function benchLargeLog(): Promise<void> {
  const dataDir = join(root, 'large');
  let server: ChildServer = await startChildServer(dataDir);
  let client = EventStoreDBClient.connectionString(server.url);
  console.error(`loading ${fmt(LARGE)} small events ...`);
  const loadStarted = performance.now();
  const batch = 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < LARGE) {
        const first = next;
        next += batch;
        const size = Math.min(batch, LARGE - first);
        await client.appendToStream(
          `account-${(first / batch) % 1000}`,
          Array.from({ length: size }, (_, i) =>
            jsonEvent({ type: 'MoneyDeposited', data: { n: first + i, amount: 100 } }),
          ),
        );
      }
    }),
  );
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  report(
    `bulk load (1000-event appends, 4 concurrent)`,
    `${fmt(LARGE / loadSeconds)} events/s`,
    `log ${mib(statSync(join(dataDir, 'events.log')).size)}`,
  );
  await client.dispose();
  await server.stop();

  console.error('recovery scan of the large log ...');
  for (let attempt = 1; attempt <= 2; attempt++) {
    const opened = await measureStoreOpen(dataDir);
    report(
      `start-up with ${fmt(opened.events)} events: recovery scan + index build (run ${attempt})`,
      `${fmt(opened.ms)} ms`,
      `${fmt(opened.events / (opened.ms / 1000))} events/s scanned`,
    );
  }
  console.error('restarting on the large log ...');
  server = await startChildServer(dataDir);
  client = EventStoreDBClient.connectionString(server.url);
  report(
    `server RSS with ${fmt(LARGE)} events stored (after start-up)`,
    mib(server.rssBytes()),
    '',
  );

  console.error('catch-up subscription over $all ...');
  const catchUpStarted = performance.now();
  let seen = 0;
  const subscription = client.subscribeToAll({ fromPosition: START });
  for await (const _resolved of subscription) {
    if (++seen === LARGE) break;
  }
  await subscription.unsubscribe();
  const catchUpSeconds = (performance.now() - catchUpStarted) / 1000;
  report(
    `catch-up subscription over $all, ${fmt(LARGE)} events`,
    `${fmt(LARGE / catchUpSeconds)} events/s`,
    `${fmt(catchUpSeconds, 1)} s`,
  );
  report('server RSS after the catch-up', mib(server.rssBytes()), '');
  const raw = await rawCatchUpRate(server.url, LARGE);
  report(
    `catch-up over $all, raw gRPC reader, ${fmt(LARGE)} events`,
    `${fmt(raw)} events/s`,
    "the client's generated stubs without its per-event conversion: the server's side of the figure above",
  );

  console.error('live delivery latency ...');
  const stream = `latency-${Date.now()}`;
  const received = new Map<number, number>();
  let notify: (() => void) | undefined;
  const live = client.subscribeToStream(stream, { fromRevision: END });
  await new Promise((resolve) => live.once('caughtUp', resolve));
  const consumer = (async () => {
    for await (const resolved of live) {
      received.set((resolved.event!.data as { i: number }).i, performance.now());
      notify?.();
      if (received.size === LATENCY_SAMPLES) break;
    }
  })();
  const fromAck: number[] = [];
  const fromSend: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const sent = performance.now();
    await client.appendToStream(stream, jsonEvent({ type: 'Ping', data: { i } }));
    const acked = performance.now();
    if (!received.has(i))
      await new Promise<void>((resolve) => {
        notify = resolve;
      });
    notify = undefined;
    const at = received.get(i)!;
    fromAck.push(at - acked);
    fromSend.push(at - sent);
  }
  await consumer;
  await live.unsubscribe();
  const pct = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  };
  report(
    'live delivery latency, append ack → subscriber callback',
    `p50 ${fmt(pct(fromAck, 50), 2)} ms, p99 ${fmt(pct(fromAck, 99), 2)} ms`,
    'negative: the event arrived before the ack',
  );
  report(
    'live delivery latency, append sent → subscriber callback',
    `p50 ${fmt(pct(fromSend, 50), 2)} ms, p99 ${fmt(pct(fromSend, 99), 2)} ms`,
    'includes the fdatasync',
  );
  await client.dispose();
  await server.stop();
}
