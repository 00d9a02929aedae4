import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '../src/auth/sign-token.js';
import { freePort } from '../test/support/server-process.js';
import { fmt, percentile } from './api/measure.js';
import { loadAverage } from './api/proc-stats.js';
import { startTallyProcess } from './api/tally-process.js';

/**
 * `npm run bench -- startup [--runs N]`: how long `npm start` takes, with no store URLs, from
 * spawning the process to the first answered GraphQL request, with the stand-ins on worker
 * threads (the default) and, as the baseline in the same run, on Tally's own thread
 * (STANDINS_THREADS=false, as before they had threads). Each run alternates the two, on a fresh
 * data directory and then again on the data the first start left (a restart).
 */
const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 5);

type Variant = 'threads' | 'one thread';
const times = new Map<string, number[]>();
const record = (key: string, ms: number) => times.set(key, [...(times.get(key) ?? []), ms]);

const secret = randomBytes(32).toString('hex');
const authorization = `Bearer ${await signToken(new TextEncoder().encode(secret), {
  sub: 'bench-admin',
  roles: ['admin'],
  expiresIn: '1h',
})}`;

async function startOnce(variant: Variant, dataDir: string): Promise<number> {
  const port = String(await freePort());
  const started = performance.now();
  const tally = await startTallyProcess(
    {
      PORT: port,
      DATA_DIR: dataDir,
      AUTH_JWT_SECRET: secret,
      STANDINS_THREADS: variant === 'threads' ? 'true' : 'false',
    },
    authorization,
  );
  const elapsed = performance.now() - started;
  await tally.stop();
  return elapsed;
}

for (let run = 0; run < runs; run++) {
  for (const variant of ['threads', 'one thread'] as Variant[]) {
    const dir = mkdtempSync(join(tmpdir(), 'tally-startup-'));
    try {
      record(`${variant}, fresh data`, await startOnce(variant, dir));
      record(`${variant}, restart`, await startOnce(variant, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.error(`run ${run + 1}/${runs} done (load ${fmt(loadAverage(), 1)})`);
}

console.log(
  `\n\`npm start\` to first answered request, ${runs} runs each, load ${fmt(loadAverage(), 1)}\n`,
);
console.log(
  "| start | stand-ins on worker threads, p50 | on Tally's thread (baseline), p50 | ratio |",
);
console.log('| --- | --- | --- | --- |');
for (const data of ['fresh data', 'restart']) {
  const threads = percentile(times.get(`threads, ${data}`)!, 50);
  const one = percentile(times.get(`one thread, ${data}`)!, 50);
  console.log(`| ${data} | ${fmt(threads)} ms | ${fmt(one)} ms | ${fmt(threads / one, 2)} |`);
}
