import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import { signToken } from '../../src/auth/sign-token.js';
import { freePort } from '../../test/support/server-process.js';
import { startChildStore } from './child-stores.js';
import { type GraphQLClient, graphqlClient } from './http-client.js';
import { loadGenerator, type Measured, measuredProcess } from './proc-stats.js';
import { startTallyProcess } from './tally-process.js';

export type Mode = 'split' | 'all-in-one';

/** One mode's processes, and clients to them. */
export interface BenchStack {
  mode: Mode;
  endpoint: string;
  authorization: string;
  client: GraphQLClient;
  /** Tally first, then the stand-ins in split mode, then the load generator. */
  measured: Measured[];
  /** Raw clients for the baselines; only in split mode, where the stores have URLs. */
  raw?: EventStoreDBClient;
  mongo?: MongoClient;
  mongoUrl?: string;
  stop(): Promise<void>;
}

const secret = randomBytes(32).toString('hex');
let authorization: Promise<string> | undefined;
/** An admin bearer token for the secret every benchmark Tally verifies with. */
const adminAuthorization = () => {
  authorization ??= signToken(new TextEncoder().encode(secret), {
    sub: 'bench-admin',
    roles: ['admin'],
    expiresIn: '4h',
  }).then((token) => `Bearer ${token}`);
  return authorization;
};

const running = new Set<BenchStack>();
// Ctrl-C stops every process the benchmark started, instead of leaving them behind.
process.once('SIGINT', () => {
  void Promise.all([...running].map((s) => s.stop())).finally(() => process.exit(130));
});

/**
 * Starts Tally as in production (NODE_ENV=production, HS256 tokens, a mutation rate limit
 * too high to matter) in `mode`, each store durable on disk in a fresh temporary directory.
 * `cpuProfDir` makes Tally's process write a V8 CPU profile there when it stops.
 */
export async function startStack(mode: Mode, cpuProfDir?: string): Promise<BenchStack> {
  const root = mkdtempSync(join(tmpdir(), `tally-api-bench-${mode}-`));
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops) await stop().catch((error) => console.error(error));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const env: Record<string, string> & { PORT: string } = {
      PORT: String(port),
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: secret,
      RATE_LIMIT_MUTATIONS: '1000000000',
      WS_MAX_CONNECTIONS: '1000',
      MONGODB_DB: 'bench',
      DATA_DIR: join(root, 'data'),
    };
    const measured: Measured[] = [];
    let raw: EventStoreDBClient | undefined;
    let mongo: MongoClient | undefined;
    let mongoUrl: string | undefined;
    if (mode === 'split') {
      const eventStore = await startChildStore('eventstore', [
        '--port',
        '0',
        '--data-dir',
        join(root, 'es'),
      ]);
      stops.unshift(() => eventStore.stop());
      const mongoStore = await startChildStore('mongo', [
        '--port',
        '0',
        '--data-dir',
        join(root, 'mongo'),
      ]);
      stops.unshift(() => mongoStore.stop());
      env.EVENTSTORE_URL = eventStore.url;
      mongoUrl = env.MONGODB_URL = mongoStore.url;
      measured.push(
        measuredProcess('event store', eventStore.pid),
        measuredProcess('MongoDB', mongoStore.pid),
      );
      raw = EventStoreDBClient.connectionString(eventStore.url);
      stops.unshift(() => raw!.dispose());
      mongo = await new MongoClient(mongoStore.url).connect();
      stops.unshift(() => mongo!.close());
      await raw.appendToStream(`warmup-${randomUUID()}`, jsonEvent({ type: 'Warm', data: {} }));
    }
    if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
    const auth = await adminAuthorization();
    const tally = await startTallyProcess(
      env,
      auth,
      cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [],
    );
    stops.unshift(() => tally.stop());
    measured.unshift(
      measuredProcess(mode === 'split' ? 'Tally' : 'Tally with its stand-ins', tally.pid),
    );
    let apiPort = port;
    // BENCH_API_ONLY=1: the load goes to a second, API-only Tally (RUN_CONSUMERS=false), the
    // first one only projecting and settling: what moving the consumers off the API's thread
    // would buy (docs/benchmarks.md, third session).
    if (process.env.BENCH_API_ONLY) {
      apiPort = await freePort();
      const api = await startTallyProcess(
        { ...env, PORT: String(apiPort), RUN_CONSUMERS: 'false' },
        auth,
      );
      stops.unshift(() => api.stop());
      measured.unshift(measuredProcess('Tally API-only', api.pid));
    }
    measured.push(loadGenerator);
    const endpoint = `http://127.0.0.1:${apiPort}/graphql`;
    const client = graphqlClient(endpoint, auth, 128);
    stops.unshift(async () => client.close());
    const stack: BenchStack = {
      mode,
      endpoint,
      authorization: auth,
      client,
      measured,
      ...(raw ? { raw } : {}),
      ...(mongo ? { mongo } : {}),
      ...(mongoUrl ? { mongoUrl } : {}),
      stop: async () => {
        running.delete(stack);
        await stopAll();
      },
    };
    running.add(stack);
    return stack;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
