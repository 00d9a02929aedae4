import { parseArgs } from 'node:util';
import { startEmbeddedEventStore } from './index.js';

/**
 * `npm run eventstore -- --port 2113 --data-dir DIR [--memory] [--keep-alive-interval MS]
 * [--keep-alive-timeout MS] [--run-projections None|System|All]`: runs the stand-in alone and
 * prints its connection string as the first line of stdout. SIGINT/SIGTERM close it cleanly.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '2113' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
    memory: { type: 'boolean', default: false },
    // EventStoreDB's names and defaults (milliseconds).
    'keep-alive-interval': { type: 'string', default: '10000' },
    'keep-alive-timeout': { type: 'string', default: '10000' },
    // EventStoreDB's --run-projections (None, System, All). Its default is None; this CLI's is
    // All, because it is what test harnesses start, and they run EventStoreDB with All.
    'run-projections': { type: 'string', default: 'all' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be an integer between 0 and 65535, got ${values.port}\n`);
  process.exit(2);
}
const keepAliveIntervalMs = positiveMs('keep-alive-interval');
const keepAliveTimeoutMs = positiveMs('keep-alive-timeout');
const runProjections = values['run-projections'].toLowerCase();
if (runProjections !== 'none' && runProjections !== 'system' && runProjections !== 'all') {
  process.stderr.write(
    `--run-projections must be None, System or All, got ${values['run-projections']}\n`,
  );
  process.exit(2);
}
const dataDir = values.memory ? undefined : (values['data-dir'] ?? '.data/eventstore');

const store = await startEmbeddedEventStore({
  host: values.host,
  port,
  dataDir,
  keepAliveIntervalMs,
  keepAliveTimeoutMs,
  runProjections,
});
process.stdout.write(`${store.url}\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    store.close().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`failed to close cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}

function positiveMs(option: 'keep-alive-interval' | 'keep-alive-timeout'): number {
  const ms = Number(values[option]);
  if (!Number.isInteger(ms) || ms <= 0) {
    process.stderr.write(
      `--${option} must be a positive number of milliseconds, got ${values[option]}\n`,
    );
    process.exit(2);
  }
  return ms;
}
