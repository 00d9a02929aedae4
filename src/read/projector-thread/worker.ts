import { parentPort, workerData } from 'node:worker_threads';
import { EventStoreDBClient } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import { fencedConsumers } from '../../leadership/fencing.js';
import { rootLogger } from '../../logger.js';
import { createProjector } from '../projector.js';
import { readModels } from '../read-models.js';
import type { FromProjector, ProjectorWorkerData, ToProjector } from './messages.js';

/**
 * The projector's own thread: its own clients, the same projector as on the main thread, and
 * its progress relayed to the main thread, where queries wait on it. It starts at once, stops
 * when told, and reports a failure to start before it ends.
 */
const port = parentPort;
if (!port) throw new Error('src/read/projector-thread/worker.ts runs only as a worker thread');
const data = workerData as ProjectorWorkerData;
const send = (message: FromProjector) => port.postMessage(message);

const eventStore = EventStoreDBClient.connectionString(data.eventStoreUrl);
const mongo = new MongoClient(data.mongoUrl);
const closeClients = async () => {
  await mongo.close().catch(() => undefined);
  await eventStore.dispose().catch(() => undefined);
};

try {
  await mongo.connect();
  const models = readModels(mongo.db(data.mongoDb));
  // A leader's thread writes only while its term lasts, as the in-process projector does.
  const fenced =
    data.token === undefined ? undefined : fencedConsumers(models.checkpoints, data.token);
  const projector = createProjector(
    eventStore,
    models,
    rootLogger.child({ module: 'projector', thread: 'projector' }),
    fenced?.projections,
    fenced?.checkpoints,
  );
  projector.progress.relayTo({
    advance: (position) => send({ type: 'advance', position }),
    doubt: () => send({ type: 'doubt' }),
    rewind: (position) => send({ type: 'rewind', position }),
  });
  await projector.start();
  port.on('message', (message: ToProjector) => {
    if (message.type !== 'stop') return;
    void projector
      .stop()
      .then(closeClients)
      .then(() => {
        send({ type: 'stopped' });
        port.close();
      });
  });
  send({ type: 'started' });
} catch (error) {
  const failure = error as Error;
  send({ type: 'failed', name: failure.name, message: failure.message, stack: failure.stack });
  await closeClients();
  port.close();
}
