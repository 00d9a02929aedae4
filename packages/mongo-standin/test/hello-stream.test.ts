import { once } from 'node:events';
import {
  MongoClient,
  type ServerHeartbeatStartedEvent,
  type ServerHeartbeatSucceededEvent,
} from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { killHard, startMongoProcess } from '../src/process.js';
import { useDataDirs } from './support.js';

const dataDir = useDataDirs('tally-mongo-hello-');
const clients: MongoClient[] = [];
const children: Array<Parameters<typeof killHard>[0]> = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const child of children.splice(0)) await killHard(child);
});

/** The next heartbeat the driver's monitor reports that matches `wanted`. */
function heartbeat(
  client: MongoClient,
  wanted: (event: ServerHeartbeatSucceededEvent) => boolean,
): Promise<ServerHeartbeatSucceededEvent> {
  return new Promise((resolve) => {
    const listener = (event: ServerHeartbeatSucceededEvent) => {
      if (!wanted(event)) return;
      client.off('serverHeartbeatSucceeded', listener);
      resolve(event);
    };
    client.on('serverHeartbeatSucceeded', listener);
  });
}

describe('hello streaming (the driver monitor of a mongod 4.4+)', () => {
  it('reports a topologyVersion whose processId is new for every start, and streams heartbeats', async () => {
    const dir = dataDir();
    const first = await startMongoProcess(dir);
    children.push(first.child);
    const client = new MongoClient(first.url, { heartbeatFrequencyMS: 500 });
    clients.push(client);
    const streamed = heartbeat(client, (event) => event.awaited);
    const hello = await client.db('admin').command({ hello: 1 });
    expect(hello.topologyVersion.counter.toString()).toBe('0');
    // The driver holds an awaitable hello open and the server answers it unasked, again and
    // again: two awaited heartbeats in a row, with no error between them.
    await streamed;
    await heartbeat(client, (event) => event.awaited);

    const port = new URL(first.url.replace(/^mongodb:/, 'http:')).port;
    await killHard(first.child);
    const second = await startMongoProcess(dir, ['--port', port]);
    children.push(second.child);
    const again = await client.db('admin').command({ hello: 1 });
    expect(again.topologyVersion.processId.toHexString()).not.toBe(
      hello.topologyVersion.processId.toHexString(),
    );
  });

  it('ends held hellos when the server closes, without waiting out maxAwaitTimeMS', async () => {
    const dir = dataDir();
    const { startEmbeddedMongo } = await import('../src/index.js');
    const server = await startEmbeddedMongo({ port: 0, dataDir: dir });
    // An hour between heartbeats: the monitor's awaitable hello would be held that long, far
    // past the test's timeout, if close() waited for it.
    const client = new MongoClient(server.url, { heartbeatFrequencyMS: 3_600_000 });
    clients.push(client);
    // After the handshake the monitor's next heartbeat is an awaitable hello, held by the server.
    const held = new Promise<void>((resolve) => {
      const started = (event: ServerHeartbeatStartedEvent) => {
        if (!event.awaited) return;
        client.off('serverHeartbeatStarted', started);
        resolve();
      };
      client.on('serverHeartbeatStarted', started);
    });
    await client.db('admin').command({ ping: 1 });
    await held;
    const failed = once(client, 'serverHeartbeatFailed');
    await server.close();
    await failed;
  });
});
