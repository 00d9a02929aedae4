import {
  EventStoreDBClient,
  jsonEvent,
  MaxAppendSizeExceededError,
  persistentSubscriptionToStreamSettingsFromDefaults,
  UnknownError,
} from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedEventStore, startEmbeddedEventStore } from '../src/index.js';
import {
  batchAppendChunk,
  grpc,
  type RawMessage,
  type RawStatus,
  rawBatchAppend,
  rawRead,
  rawStreamsClient,
  sharedPb,
  streamReadRequest,
  streamsPb,
} from './raw-grpc.js';
import { event, freshStream, readAllOf } from './support.js';

let store: EmbeddedEventStore;
let client: EventStoreDBClient;
let raw: RawMessage;
beforeAll(async () => {
  // A long write timeout: the unfinished appends below must not time out before the limit is hit,
  // however slowly a busy machine sends them.
  store = await startEmbeddedEventStore({ writeTimeoutMs: 600_000, runProjections: 'all' });
  client = EventStoreDBClient.connectionString(store.url);
  raw = rawStreamsClient(store.port);
});
afterAll(async () => {
  raw.close();
  await client.dispose();
  await store.close();
});

/** Runs a raw Read and resolves with the gRPC status it ends with. */
async function rawStatus(request: RawMessage): Promise<RawStatus> {
  return (await rawRead(raw, request)).status;
}

const streamRead = (configure: (options: RawMessage) => void) =>
  streamReadRequest('some-stream', configure);

describe('malformed requests', () => {
  it('answers an unknown read direction with INVALID_ARGUMENT', async () => {
    const status = await rawStatus(streamRead((options) => options.setReadDirection(7)));
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/direction/);
  });

  it('answers a read without options, or without a stream, with INVALID_ARGUMENT', async () => {
    expect((await rawStatus(new streamsPb.ReadReq())).code).toBe(grpc.status.INVALID_ARGUMENT);
    const noStream = streamRead((options) => options.clearStream());
    expect((await rawStatus(noStream)).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('refuses empty and overlong stream names', async () => {
    const empty = await client.appendToStream('', event('A')).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(UnknownError);
    expect(String((empty as Error).message)).toMatch(/empty/);
    const long = await client.appendToStream('x'.repeat(5000), event('A')).catch((e: unknown) => e);
    expect(String((long as Error).message)).toMatch(/longer than/);
    const readEmpty = await rawStatus(
      streamRead((options) =>
        options.getStream().getStreamIdentifier().setStreamName(Buffer.alloc(0)),
      ),
    );
    expect(readEmpty.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('refuses invalid event ids on both append paths', async () => {
    const bad = jsonEvent({ type: 'A', data: {}, id: 'not-a-uuid' });
    const batch = await client.appendToStream(freshStream('bad'), bad).catch((e: unknown) => e);
    expect(String((batch as Error).message)).toMatch(/UUID/);
    const unary = await client
      .appendToStream(freshStream('bad'), bad, { credentials: { username: 'a', password: 'b' } })
      .catch((e: unknown) => e);
    expect((unary as { code?: number }).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('refuses appends over the 1 MiB limit with MaxAppendSizeExceeded, writing nothing', async () => {
    const stream = freshStream('big');
    const huge = jsonEvent({ type: 'Huge', data: { blob: 'x'.repeat(1_100_000) } });
    const batch = await client.appendToStream(stream, huge).catch((e: unknown) => e);
    expect(batch).toBeInstanceOf(MaxAppendSizeExceededError);
    expect((batch as MaxAppendSizeExceededError).maxAppendSize).toBe(1_048_576);
    const unary = await client
      .appendToStream(stream, huge, { credentials: { username: 'a', password: 'b' } })
      .catch((e: unknown) => e);
    expect(unary).toBeInstanceOf(MaxAppendSizeExceededError);
    await expect(readAllOf(client.readStream(stream))).rejects.toThrow(/not found/);
  });

  it('refuses an invalid filter regex', async () => {
    const request = new streamsPb.ReadReq();
    const options = new streamsPb.ReadReq.Options();
    const all = new streamsPb.ReadReq.Options.AllOptions();
    all.setStart(new sharedPb.Empty());
    options.setAll(all);
    options.setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions());
    const filter = new streamsPb.ReadReq.Options.FilterOptions();
    const expression = new streamsPb.ReadReq.Options.FilterOptions.Expression();
    expression.setRegex('([unclosed');
    filter.setStreamIdentifier(expression);
    filter.setCount(new sharedPb.Empty());
    filter.setCheckpointintervalmultiplier(1);
    options.setFilter(filter);
    request.setOptions(options);
    expect((await rawStatus(request)).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('bounds the unfinished appends one BatchAppend call may hold open', async () => {
    const call = rawBatchAppend(raw);
    for (let i = 0; i <= 1024; i++) call.write(batchAppendChunk(freshStream('open'), false));
    const response = await call.next();
    expect(response.hasError()).toBe(true);
    expect(response.getError().getMessage()).toMatch(/More than 1024 unfinished appends/);
    // A complete append holds nothing open: it is still taken on the same call.
    call.write(batchAppendChunk(freshStream('complete'), true));
    expect((await call.next()).getSuccess().getCurrentRevision()).toBe('0');
    call.close();
  });

  it('stays up and keeps the log intact after all of that', async () => {
    const stream = freshStream('after');
    await client.appendToStream(stream, [event('Still'), event('Fine')]);
    const read = await readAllOf(client.readStream(stream));
    expect(read.map((e) => e.event!.type)).toEqual(['Still', 'Fine']);
  });
});

describe('out-of-scope services', () => {
  it('answer UNIMPLEMENTED with a clear message instead of hanging', async () => {
    const persistent = await client
      .createPersistentSubscriptionToStream(
        's',
        'group',
        persistentSubscriptionToStreamSettingsFromDefaults(),
      )
      .catch((e: unknown) => e);
    expect(String((persistent as Error).message)).toMatch(
      /Persistent subscriptions are not supported/,
    );
    const projection = await client
      .updateProjection('p', 'fromAll().when({})')
      .catch((e: unknown) => e);
    expect(String((projection as Error).message)).toMatch(/not supported by the embedded/i);
    // $by_category's state is not kept (user projections' is: user-projections.test.ts).
    const state = await client.getProjectionState('$by_category').catch((e: unknown) => e);
    expect(String((state as Error).message)).toMatch(/not kept by the embedded/i);
    // A streaming call ends with the status too, rather than hanging (below).
    const subscription = client.subscribeToPersistentSubscriptionToStream('s', 'group');
    const dropped = await new Promise((resolve) => subscription.once('error', resolve));
    expect(String((dropped as Error).message)).toMatch(
      /Persistent subscriptions are not supported/,
    );
  });
});
