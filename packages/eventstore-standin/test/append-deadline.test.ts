import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeadlineExceededError,
  EventStoreDBClient,
  type ResolvedEvent,
} from '@eventstore/db-client';
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

// A durable store: with fdatasync in the path, an append received in time can finish its write
// after its deadline, which is the case EventStoreDB answers with the write's real outcome.
let dataDir: string;
let store: EmbeddedEventStore;
let client: EventStoreDBClient;
let raw: RawMessage;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tally-es-deadline-'));
  // A short write timeout (EventStoreDB's default is 2 s), so an unfinished append times out soon.
  store = await startEmbeddedEventStore({ dataDir, writeTimeoutMs: 250 });
  client = EventStoreDBClient.connectionString(store.url);
  raw = rawStreamsClient(store.port);
});
afterAll(async () => {
  raw.close();
  await client.dispose();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Issues `count` single-event appends in one event-loop turn and checks that what the client was
 * told matches what the stream holds: every success at the revision it was given, every failure a
 * DeadlineExceededError whose event is absent.
 */
async function floodAndCheck(count: number, deadline?: number) {
  const stream = freshStream('flood-deadline');
  const ids = Array.from({ length: count }, () => randomUUID());
  const outcomes = await Promise.allSettled(
    ids.map((id, i) =>
      client.appendToStream(
        stream,
        // About 1 KB each, as in the client's own flood test.
        event('AnyEventType', { i, value: 'A'.repeat(904) }, id),
        deadline ? { deadline } : {},
      ),
    ),
  );
  const stored = new Map<string, ResolvedEvent>();
  const read = await readAllOf(client.readStream(stream)).catch(() => []);
  for (const resolved of read) stored.set(resolved.event!.id, resolved);
  let succeeded = 0;
  const untrue: string[] = [];
  outcomes.forEach((outcome, i) => {
    const id = ids[i]!;
    if (outcome.status === 'fulfilled') {
      succeeded++;
      const at = stored.get(id)?.event?.revision;
      if (at !== outcome.value.nextExpectedRevision)
        untrue.push(
          `append ${i} acknowledged at ${outcome.value.nextExpectedRevision}, found ${at}`,
        );
    } else {
      if (!(outcome.reason instanceof DeadlineExceededError))
        untrue.push(`append ${i} failed with ${String(outcome.reason)}`);
      if (stored.has(id)) untrue.push(`append ${i} reported failed, but written`);
    }
  });
  expect(untrue.slice(0, 5)).toEqual([]);
  expect(stored.size).toBe(succeeded);
  return succeeded;
}

describe('BatchAppend deadlines under a flood of 10,000 appends through the client', () => {
  it('with the default deadline: every reported success is stored, every reported failure is not', async () => {
    expect(await floodAndCheck(10_000)).toBeGreaterThan(0);
  });

  it('with a deadline part of the flood misses: the late ones are refused unwritten, none written and refused', async () => {
    await floodAndCheck(10_000, 1000);
  });
});

describe('BatchAppend deadlines, append by append', () => {
  it('answers Timeout to an append still arriving at its deadline, and ignores the rest of it', async () => {
    const call = rawBatchAppend(raw);
    const stream = freshStream('arriving');
    const late = correlationId();
    call.write(
      batchAppendRequest({
        correlation: late,
        stream,
        deadline: new Date(Date.now() + 100),
        isFinal: false,
      }),
    );
    const timedOut = await call.next();
    expect(timedOut.getCorrelationId().getString()).toBe(late.getString());
    expect(timedOut.getError().getDetails().getTypeName()).toBe('event_store.client.Timeout');
    // Its final chunk, arriving after the answer, writes nothing and gets no second answer.
    call.write(batchAppendRequest({ correlation: late, isFinal: true }));
    const onTime = correlationId();
    call.write(batchAppendRequest({ correlation: onTime, stream, isFinal: true }));
    const written = await call.next();
    expect(written.getCorrelationId().getString()).toBe(onTime.getString());
    expect(written.getSuccess().getCurrentRevision()).toBe('0');
    expect(await readAllOf(client.readStream(stream))).toHaveLength(1);
    call.close();
  });

  it('without a deadline, holds an unfinished append for the write timeout only', async () => {
    const call = rawBatchAppend(raw);
    const stream = freshStream('unfinished');
    call.write(batchAppendRequest({ correlation: correlationId(), stream, isFinal: false }));
    const answer = await call.next();
    expect(answer.getError().getDetails().getTypeName()).toBe('event_store.client.Timeout');
    expect(answer.getError().getCode()).toBe(grpc.status.DEADLINE_EXCEEDED);
    call.close();
  });

  it('refuses an append whose deadline passed before it arrived, writing nothing', async () => {
    const stream = freshStream('past');
    const error = await client
      .appendToStream(stream, event('Late'), { deadline: -1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    await expect(readAllOf(client.readStream(stream))).rejects.toThrow(/not found/);
  });
});

describe('a BatchAppend call the client half-closes', () => {
  it('still answers the appends it received whole, drops the unfinished one, then ends', async () => {
    const call = rawBatchAppend(raw);
    const stream = freshStream('half-closed');
    const whole = correlationId();
    call.write(batchAppendRequest({ correlation: correlationId(), stream, isFinal: false }));
    call.write(batchAppendRequest({ correlation: whole, stream, isFinal: true }));
    call.end();
    const answer = await call.next();
    expect(answer.getCorrelationId().getString()).toBe(whole.getString());
    expect(answer.getSuccess().getCurrentRevision()).toBe('0');
    expect((await call.ended()).code).toBe(grpc.status.OK);
    expect(await readAllOf(client.readStream(stream))).toHaveLength(1);
  });
});
