import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, START, UnavailableError } from '@eventstore/db-client';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type EmbeddedEventStore, startEmbeddedEventStore } from '../src/index.js';
import { grpc, type RawStatus, rawStreamsClient, streamReadRequest } from './raw-grpc.js';
import { rawHttp2Read } from './support/raw-http2-read.js';
import { startTcpProxy } from './support/tcp-proxy.js';
import { event, readAllOf } from './support.js';

// A read or subscription the client ends (cancel, unsubscribe, dispose, its deadline) or loses
// (socket closed, client vanished) must end on the server at once: no producer left running or
// waiting for a `drain` that never comes, no subscription registered. The store gets its own
// server so `openReads()` counts only this file's calls. Each read covers far more than the
// client's HTTP/2 window and the server's 256 responses in flight, so an abandoned one can never
// finish on its own: only the client's ending it can let the server go.

const EVENTS = 10_000;
const stream = `cancel-${randomUUID()}`;
let store: EmbeddedEventStore;

beforeAll(async () => {
  store = await startEmbeddedEventStore();
  const client = EventStoreDBClient.connectionString(store.url);
  const blob = 'x'.repeat(1000);
  for (let i = 0; i < EVENTS; i += 500) {
    await client.appendToStream(
      stream,
      Array.from({ length: 500 }, (_, j) => event('Big', { i: i + j, blob })),
    );
  }
  await client.dispose();
});
afterAll(async () => {
  await store.close();
});

/** Takes `count` events from an async iterable, then leaves the loop (as `break` does). */
async function takeAndBreak(iterable: AsyncIterable<unknown>, count: number): Promise<number> {
  let taken = 0;
  for await (const _ of iterable) if (++taken === count) break;
  return taken;
}

it('ends a $all read left early once the client is disposed', async () => {
  const client = EventStoreDBClient.connectionString(store.url);
  expect(await takeAndBreak(client.readAll({ fromPosition: START }), 5)).toBe(5);
  // Leaving the loop destroys only the client's Transform: the gRPC call is still open (the
  // client does not cancel it), paused, as it would be on EventStoreDB.
  expect(store.openReads()).toBe(1);
  await client.dispose(); // cancels it: RST_STREAM CANCEL
  await store.noOpenReads();
  expect(store.openReads()).toBe(0);
});

it('ends a stream read left early once the client is disposed', async () => {
  const client = EventStoreDBClient.connectionString(store.url);
  expect(await takeAndBreak(client.readStream(stream), 5)).toBe(5);
  expect(store.openReads()).toBe(1);
  await client.dispose();
  await store.noOpenReads();
  expect(store.openReads()).toBe(0);
});

it('ends a read the client cancels after leaving it early, without disposing the client', async () => {
  const client = EventStoreDBClient.connectionString(store.url);
  const read = client.readStream(stream);
  expect(await takeAndBreak(read, 5)).toBe(5);
  await read.cancel();
  await store.noOpenReads();
  expect(store.openReads()).toBe(0);
  // The client is still usable, and a new read sees the stream from the start.
  const [first] = await readAllOf(client.readStream(stream, { maxCount: 1 }));
  expect(first?.event?.data).toMatchObject({ i: 0 });
  await client.dispose();
  await store.noOpenReads();
});

it('ends a $all subscription the client unsubscribes from after the first event', async () => {
  const client = EventStoreDBClient.connectionString(store.url);
  const subscription = client.subscribeToAll({ fromPosition: START });
  expect(await takeAndBreak(subscription, 1)).toBe(1);
  expect(store.subscriptions()).toHaveLength(1);
  await subscription.unsubscribe();
  await store.noOpenReads();
  expect(store.subscriptions()).toEqual([]);
  await client.dispose();
});

it('ends a stream subscription left by `break` once the client is disposed', async () => {
  const client = EventStoreDBClient.connectionString(store.url);
  const subscription = client.subscribeToStream(stream, { fromRevision: START });
  expect(await takeAndBreak(subscription, 1)).toBe(1);
  expect(store.subscriptions()).toEqual([expect.objectContaining({ target: stream })]);
  await client.dispose();
  await store.noOpenReads();
  expect(store.subscriptions()).toEqual([]);
});

it('ends a live subscription, idle between commits, that the client unsubscribes from', async () => {
  const client = EventStoreDBClient.connectionString(store.url);
  const quiet = `quiet-${randomUUID()}`;
  await client.appendToStream(quiet, event('Only'));
  const subscription = client.subscribeToStream(quiet, { fromRevision: START });
  // Caught up (the client's Transform has taken its one event): the server now waits for a commit.
  await new Promise((resolve) => subscription.once('caughtUp', resolve));
  expect(await takeAndBreak(subscription, 1)).toBe(1);
  await subscription.unsubscribe();
  await store.noOpenReads();
  expect(store.subscriptions()).toEqual([]);
  // Commits after it ended wake nothing: the store forgot it.
  await client.appendToStream(quiet, event('After'));
  expect(store.subscriptions()).toEqual([]);
  await client.dispose();
});

it('ends a read whose client disconnects in the middle of it', async () => {
  const proxy = await startTcpProxy(store.port);
  const client = EventStoreDBClient.connectionString(proxy.url);
  const read = client.readAll({ fromPosition: START });
  // Leaving the loop destroys the client's read (AbortError), yet it still re-emits the call's
  // end (UNAVAILABLE once the connection drops) as an 'error' event: listen, or it is unhandled.
  read.on('error', () => {});
  expect(await takeAndBreak(read, 5)).toBe(5);
  expect(store.openReads()).toBe(1);
  proxy.cut();
  await store.noOpenReads();
  expect(store.openReads()).toBe(0);
  await client.dispose();
  await proxy.close();
});

it('lets go of a subscription blocked on backpressure when its client disconnects', async () => {
  const proxy = await startTcpProxy(store.port);
  const client = EventStoreDBClient.connectionString(proxy.url);
  const subscription = client.subscribeToStream(stream, { fromRevision: START });
  const dropped = new Promise((resolve) => subscription.once('error', resolve));
  // Nobody reads it: its ~10 MB catch-up fills the windows and the server waits for `drain`.
  await new Promise((resolve) => subscription.once('confirmation', resolve));
  await vi.waitFor(() => expect(store.subscriptions()[0]?.blocked).toBe(true), {
    timeout: 60_000,
    interval: 10,
  });
  expect(store.subscriptions()[0]!.delivered).toBeLessThan(EVENTS);
  proxy.cut(); // the drain will never come
  await store.noOpenReads();
  expect(store.subscriptions()).toEqual([]);
  expect(await dropped).toBeInstanceOf(UnavailableError);
  await client.dispose();
  await proxy.close();
});

it('drops the calls of a client that vanished without closing its socket (keepalive)', async () => {
  // EventStoreDB pings every client (10 s, 10 s by default); shorter here.
  const pinging = await startEmbeddedEventStore({
    keepAliveIntervalMs: 200,
    keepAliveTimeoutMs: 200,
  });
  const proxy = await startTcpProxy(pinging.port);
  const client = EventStoreDBClient.connectionString(proxy.url);
  await client.appendToStream('vanishing', event('Only'));
  const subscription = client.subscribeToAll({ fromPosition: START });
  await new Promise((resolve) => subscription.once('caughtUp', resolve));
  expect(pinging.openReads()).toBe(1);
  proxy.blackHole(); // no FIN, no RST: only an unanswered ping can tell
  await pinging.noOpenReads();
  expect(pinging.subscriptions()).toEqual([]);
  // The client never hears of it (its own keepalive would, later): it cancels into the void.
  await client.dispose();
  await proxy.close();
  await pinging.close();
});

it('ends a read at its deadline when the client resets it (grpc-js with a deadline)', async () => {
  // The official client sends no deadline on reads (it passes `deadline: Infinity` to grpc-js
  // whatever its `deadline` option says), so this one uses its generated stubs directly.
  const raw = rawStreamsClient(store.url);
  const request = streamReadRequest(stream, (options) => options.setCount(String(EVENTS)));
  const call = raw.read(request, new grpc.Metadata(), { deadline: Date.now() + 1000 });
  const status = new Promise<RawStatus>((resolve) => call.on('error', resolve));
  await Promise.race([new Promise((resolve) => call.once('data', resolve)), status]);
  call.pause(); // reads no more: the server fills the window and waits
  expect((await status).code).toBe(grpc.status.DEADLINE_EXCEEDED);
  await store.noOpenReads();
  expect(store.openReads()).toBe(0);
  raw.close();
});

it('ends a read at its deadline even when the client neither reads nor resets it', async () => {
  const request = streamReadRequest(stream, (options) => options.setCount(String(EVENTS)));
  const read = rawHttp2Read(store.port, request, '500m');
  await read.started;
  // The server stops producing at the deadline, although its last responses were never taken.
  await store.noOpenReads();
  expect(store.openReads()).toBe(0);
  read.close();
});
