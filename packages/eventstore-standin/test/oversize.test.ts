import { connect } from 'node:http2';
import { EventStoreDBClient, jsonEvent, MaxAppendSizeExceededError } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedEventStore, startEmbeddedEventStore } from '../src/index.js';
import {
  batchAppendRequest,
  correlationId,
  grpc,
  type RawMessage,
  rawBatchAppend,
  rawStreamsClient,
} from './raw-grpc.js';
import { event, freshStream, readAllOf } from './support.js';

let store: EmbeddedEventStore;
let client: EventStoreDBClient;
let raw: RawMessage;
beforeAll(async () => {
  store = await startEmbeddedEventStore();
  client = EventStoreDBClient.connectionString(store.url);
  raw = rawStreamsClient(store.port);
});
afterAll(async () => {
  raw.close();
  await client.dispose();
  await store.close();
});

describe('appends over the maximum append size (1 MiB)', () => {
  it('are refused through the client with MaxAppendSizeExceededError, even when sent in many chunks', async () => {
    const stream = freshStream('oversize');
    const blob = 'x'.repeat(100_000);
    const events = Array.from({ length: 12 }, (_, i) =>
      jsonEvent({ type: 'Big', data: { i, blob } }),
    );
    const error = await client
      .appendToStream(stream, events, { batchAppendSize: 150_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
    expect((error as MaxAppendSizeExceededError).maxAppendSize).toBe(1_048_576);
    await expect(readAllOf(client.readStream(stream))).rejects.toThrow(/not found/);
    // The client's shared BatchAppend call is still good.
    expect((await client.appendToStream(stream, event('Small'))).nextExpectedRevision).toBe(0n);
  });

  it('are refused as soon as the limit is passed, before the append is complete', async () => {
    const call = rawBatchAppend(raw);
    const stream = freshStream('early');
    const big = correlationId();
    // 600 KB, then 600 KB more: over the limit, and the final chunk is not sent yet.
    call.write(
      batchAppendRequest({ correlation: big, stream, dataBytes: 600_000, isFinal: false }),
    );
    call.write(batchAppendRequest({ correlation: big, dataBytes: 600_000, isFinal: false }));
    const refused = await call.next();
    expect(refused.getCorrelationId().getString()).toBe(big.getString());
    expect(refused.getError().getDetails().getTypeName()).toBe(
      'event_store.client.MaximumAppendSizeExceeded',
    );
    // The rest of it is ignored, not buffered, and answered no second time.
    call.write(batchAppendRequest({ correlation: big, dataBytes: 600_000, isFinal: true }));
    const small = correlationId();
    call.write(batchAppendRequest({ correlation: small, stream, isFinal: true }));
    const written = await call.next();
    expect(written.getCorrelationId().getString()).toBe(small.getString());
    expect(written.getSuccess().getCurrentRevision()).toBe('0');
    expect(await readAllOf(client.readStream(stream))).toHaveLength(1);
    call.close();
  });

  it('are refused on the Append path too, and nothing is written', async () => {
    const stream = freshStream('oversize-unary');
    const error = await client
      .appendToStream(
        stream,
        Array.from({ length: 3 }, () =>
          jsonEvent({ type: 'Big', data: { b: 'y'.repeat(400_000) } }),
        ),
        { credentials: { username: 'admin', password: 'changeit' } },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
    await expect(readAllOf(client.readStream(stream))).rejects.toThrow(/not found/);
  });
});

describe('gRPC messages over the transport limit (16 MiB - 10,000 bytes, as EventStoreDB)', () => {
  it('are refused with RESOURCE_EXHAUSTED from their length prefix, without waiting for the body', async () => {
    const session = connect(`http://127.0.0.1:${store.port}`);
    session.on('error', () => {});
    const request = session.request({
      ':method': 'POST',
      ':path': '/event_store.client.streams.Streams/BatchAppend',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    request.on('error', () => {});
    const status = new Promise<string | undefined>((resolve) => {
      request.on('response', (headers) => {
        if (headers['grpc-status'] !== undefined) resolve(String(headers['grpc-status']));
      });
      request.on('trailers', (trailers) => resolve(String(trailers['grpc-status'])));
    });
    request.resume();
    // A message announcing 100 MiB, of which nothing follows: the stream stays open on our side.
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(100 * 1024 * 1024, 1);
    request.write(prefix);
    expect(await status).toBe(String(grpc.status.RESOURCE_EXHAUSTED));
    request.close();
    session.close();
  });

  it('leaves room for what EventStoreDB accepts: a 4+ MiB chunk of 50,000 small events', async () => {
    const stream = freshStream('wide');
    const chunk = batchAppendRequest({
      correlation: correlationId(),
      stream,
      events: 50_000,
      isFinal: true,
    });
    // Over gRPC's usual 4 MiB, while its events count 400 KB against the append size.
    expect(chunk.serializeBinary().length).toBeGreaterThan(4 * 1024 * 1024);
    const call = rawBatchAppend(raw);
    call.write(chunk);
    expect((await call.next()).getSuccess().getCurrentRevision()).toBe('49999');
    call.close();
  });

  it('fail only the call that sent one; the server takes the next call', async () => {
    const call = rawBatchAppend(raw);
    call.write(
      batchAppendRequest({
        correlation: correlationId(),
        stream: freshStream('huge'),
        dataBytes: 17 * 1024 * 1024,
        isFinal: true,
      }),
    );
    const ended = await call.ended();
    expect(ended.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const stream = freshStream('after-huge');
    expect((await client.appendToStream(stream, event('Fine'))).nextExpectedRevision).toBe(0n);
  });
});
