import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from './index.js';

/**
 * `npm run mongo -- --port 27017 [--data-dir DIR] [--max-connections N] [--change-history N]
 * [--journal-snapshot-bytes N] [--setParameter enableTestCommands=0|1]`: prints the connection
 * string first.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '27017' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
    'max-connections': { type: 'string' },
    'change-history': { type: 'string' },
    'journal-snapshot-bytes': { type: 'string' },
    // mongod's own spelling, so a test harness that starts mongod starts the stand-in alike.
    setParameter: { type: 'string', multiple: true },
    'enable-test-commands': { type: 'boolean' },
  },
});

// On by default here, unlike startEmbeddedMongo(): this CLI is what test harnesses start (the
// drivers' specification suites always run mongod with enableTestCommands=1), while Tally's own
// `npm start` embeds the stand-in through the API, where fail points stay off.
// `--setParameter enableTestCommands=0` turns them off.
let enableTestCommands = values['enable-test-commands'] ?? true;
for (const parameter of values.setParameter ?? []) {
  const match = /^enableTestCommands=(.*)$/.exec(parameter);
  if (!match) {
    process.stderr.write(
      `--setParameter: only enableTestCommands is supported, got ${parameter}\n`,
    );
    process.exit(2);
  }
  enableTestCommands = ['1', 'true'].includes(match[1] ?? '');
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be an integer between 0 and 65535, got ${values.port}\n`);
  process.exit(2);
}

const maxConnections =
  values['max-connections'] === undefined ? undefined : Number(values['max-connections']);
if (maxConnections !== undefined && !(Number.isInteger(maxConnections) && maxConnections > 0)) {
  process.stderr.write(
    `--max-connections must be a positive integer, got ${values['max-connections']}\n`,
  );
  process.exit(2);
}

const changeHistory =
  values['change-history'] === undefined ? undefined : Number(values['change-history']);
if (changeHistory !== undefined && !(Number.isInteger(changeHistory) && changeHistory > 0)) {
  process.stderr.write(
    `--change-history must be a positive integer, got ${values['change-history']}\n`,
  );
  process.exit(2);
}

const journalSnapshotBytes =
  values['journal-snapshot-bytes'] === undefined
    ? undefined
    : Number(values['journal-snapshot-bytes']);
if (
  journalSnapshotBytes !== undefined &&
  !(Number.isInteger(journalSnapshotBytes) && journalSnapshotBytes > 0)
) {
  process.stderr.write(
    `--journal-snapshot-bytes must be a positive integer, got ${values['journal-snapshot-bytes']}\n`,
  );
  process.exit(2);
}

const mongo = await startEmbeddedMongo({
  host: values.host,
  port,
  dataDir: values['data-dir'],
  maxConnections,
  changeHistory,
  journalSnapshotBytes,
  enableTestCommands,
});
process.stdout.write(`${mongo.url}\n`);

let closing = false;
const shutdown = async () => {
  if (closing) return;
  closing = true;
  await mongo.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
