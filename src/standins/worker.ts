import { parentPort, workerData } from 'node:worker_threads';
import { startStandInHere } from './stand-ins.js';
import type { FromStandIn, StandInWorkerData, ToStandIn } from './worker-messages.js';

/**
 * A stand-in's own thread: it starts the stand-in, says where it listens, and closes it when
 * told. A failure to start, or any later uncaught error, ends the thread with that error, which
 * the launcher sees as the worker's 'error' event.
 */
const port = parentPort;
if (!port) throw new Error('src/standins/worker.ts runs only as a worker thread');
const { kind, options } = workerData as StandInWorkerData;
const send = (message: FromStandIn) => port.postMessage(message);

const standIn = await startStandInHere(kind, options);
port.on('message', (message: ToStandIn) => {
  if (message.type !== 'close') return;
  void standIn.close().then(() => {
    send({ type: 'closed' });
    port.close();
  });
});
send({ type: 'ready', url: standIn.url });
