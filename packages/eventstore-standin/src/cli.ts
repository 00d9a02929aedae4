import { parseArgs } from 'node:util';
import { startEmbeddedEventStore } from './index.js';

/**
 * `npm run eventstore -- --port 2113 --data-dir DIR [--memory]`: runs the stand-in alone and
 * prints its connection string as the first line of stdout. SIGINT/SIGTERM close it cleanly.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '2113' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string' },
    memory: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be an integer between 0 and 65535, got ${values.port}\n`);
  process.exit(2);
}
const dataDir = values.memory ? undefined : (values['data-dir'] ?? '.data/eventstore');

const store = await startEmbeddedEventStore({ host: values.host, port, dataDir });
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
