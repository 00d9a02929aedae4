import { randomUUID } from 'node:crypto';
import {
  DeadlineExceededError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { afterAll, describe, expect, it } from 'vitest';
import { event, freshStream, readAllOf, sharedClient } from './support.js';

const client = sharedClient();
afterAll(() => client.dispose());

// Passing credentials makes the client use Streams.Append instead of BatchAppend (over plain
// text it then drops them), so every case runs through both wire paths.
const paths = [
  { name: 'BatchAppend', options: {} },
  { name: 'Append', options: { credentials: { username: 'admin', password: 'changeit' } } },
];

describe.each(paths)('appending through $name', ({ options }) => {
  it('honours no_stream, an exact revision, stream_exists and any', async () => {
    const stream = freshStream('append');
    const first = await client.appendToStream(stream, [event('Opened'), event('Deposited')], {
      ...options,
      expectedRevision: 'no_stream',
    });
    expect(first.nextExpectedRevision).toBe(1n);
    const second = await client.appendToStream(stream, event('Deposited'), {
      ...options,
      expectedRevision: 1n,
    });
    expect(second.nextExpectedRevision).toBe(2n);
    const third = await client.appendToStream(stream, event('Deposited'), {
      ...options,
      expectedRevision: 'stream_exists',
    });
    expect(third.nextExpectedRevision).toBe(3n);
    const fourth = await client.appendToStream(stream, event('Closed'), {
      ...options,
      expectedRevision: 'any',
    });
    expect(fourth.nextExpectedRevision).toBe(4n);
    const types = (await readAllOf(client.readStream(stream))).map((e) => e.event?.type);
    expect(types).toEqual(['Opened', 'Deposited', 'Deposited', 'Deposited', 'Closed']);
  });

  it('rejects a stale revision with WrongExpectedVersion carrying the actual revision', async () => {
    const stream = freshStream('append');
    await client.appendToStream(stream, [event('A'), event('B'), event('C')], options);
    const error = await client
      .appendToStream(stream, event('D'), { ...options, expectedRevision: 0n })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect((error as WrongExpectedVersionError).actualVersion).toBe(2n);
    expect((error as WrongExpectedVersionError).expectedVersion).toBe(0n);
    expect(await readAllOf(client.readStream(stream))).toHaveLength(3);
  });

  it('reports no_stream as the actual revision when the stream does not exist', async () => {
    const stream = freshStream('append');
    const stale = await client
      .appendToStream(stream, event('A'), { ...options, expectedRevision: 5n })
      .catch((e: unknown) => e);
    expect((stale as WrongExpectedVersionError).actualVersion).toBe('no_stream');
    const exists = await client
      .appendToStream(stream, event('A'), { ...options, expectedRevision: 'stream_exists' })
      .catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(WrongExpectedVersionError);
    await client.appendToStream(stream, event('A'), options);
    const noStream = await client
      .appendToStream(stream, event('B'), { ...options, expectedRevision: 'no_stream' })
      .catch((e: unknown) => e);
    expect((noStream as WrongExpectedVersionError).actualVersion).toBe(0n);
  });

  it('accepts an empty append and writes nothing', async () => {
    const stream = freshStream('empty');
    const result = await client.appendToStream(stream, [], options);
    expect(result.success).toBe(true);
    await expect(readAllOf(client.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
    await client.appendToStream(stream, event('A'), options);
    const again = await client.appendToStream(stream, [], { ...options, expectedRevision: 0n });
    expect(again.nextExpectedRevision).toBe(0n);
  });

  it('treats a retry of the same event ids at the same expected revision as a no-op', async () => {
    const stream = freshStream('append');
    const batch = [event('A', {}, randomUUID()), event('B', {}, randomUUID())];
    const first = await client.appendToStream(stream, batch, {
      ...options,
      expectedRevision: 'no_stream',
    });
    const retry = await client.appendToStream(stream, batch, {
      ...options,
      expectedRevision: 'no_stream',
    });
    expect(retry.nextExpectedRevision).toBe(first.nextExpectedRevision);
    expect(retry.position).toEqual(first.position);
    const retryAny = await client.appendToStream(stream, batch, {
      ...options,
      expectedRevision: 'any',
    });
    expect(retryAny.nextExpectedRevision).toBe(1n);
    const next = [event('C', {}, randomUUID())];
    await client.appendToStream(stream, next, { ...options, expectedRevision: 1n });
    const retryExact = await client.appendToStream(stream, next, {
      ...options,
      expectedRevision: 1n,
    });
    expect(retryExact.nextExpectedRevision).toBe(2n);
    const types = (await readAllOf(client.readStream(stream))).map((e) => e.event?.type);
    expect(types).toEqual(['A', 'B', 'C']);
  });
});

describe('appending', () => {
  it('splits a large append over several messages and keeps it whole', async () => {
    const stream = freshStream('append');
    const blob = 'x'.repeat(20_000);
    const events = Array.from({ length: 40 }, (_, i) => event('Big', { i, blob }));
    // batchAppendSize forces the client to send the append in many chunks.
    const result = await client.appendToStream(stream, events, { batchAppendSize: 50_000 });
    expect(result.nextExpectedRevision).toBe(39n);
    const read = await readAllOf(client.readStream(stream));
    expect(read.map((e) => (e.event!.data as { i: number }).i)).toEqual(events.map((_, i) => i));
  });

  it('honours the per-append deadline: an append that arrives after it is refused, unwritten', async () => {
    const stream = freshStream('deadline');
    // A deadline already in the past when the server sees the append.
    const error = await client
      .appendToStream(stream, event('Late'), { deadline: -60_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    await expect(readAllOf(client.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
    // Also when the append is so large that it is still arriving when its deadline passes.
    const many = Array.from({ length: 30_000 }, (_, i) => event('Bulk', { message: 'test', i }));
    const late = await client
      .appendToStream(stream, many, { deadline: 1 })
      .catch((e: unknown) => e);
    expect(late).toBeInstanceOf(DeadlineExceededError);
    // The shared BatchAppend call survives it.
    const next = await client.appendToStream(stream, event('OnTime'));
    expect(next.nextExpectedRevision).toBe(0n);
  });

  it('takes thousands of appends issued in one event-loop turn, each exactly once', async () => {
    const stream = freshStream('flood');
    const value = 'A'.repeat(900);
    const results = await Promise.all(
      Array.from({ length: 5000 }, (_, i) =>
        // A deadline long enough for a busy machine: this is about exactly-once, not deadlines
        // (append-deadline.test.ts covers those).
        client.appendToStream(stream, event('Flood', { i, value }), { deadline: 120_000 }),
      ),
    );
    const revisions = results.map((r) => r.nextExpectedRevision).sort((a, b) => (a < b ? -1 : 1));
    expect(revisions).toEqual(Array.from({ length: 5000 }, (_, i) => BigInt(i)));
    const read = await readAllOf(client.readStream(stream));
    expect(new Set(read.map((e) => (e.event!.data as { i: number }).i)).size).toBe(5000);
  });

  it('lets exactly one of many concurrent appends at the same revision win', async () => {
    const stream = freshStream('race');
    await client.appendToStream(stream, event('Opened'));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        client.appendToStream(stream, event('Deposited', { i }), { expectedRevision: 0n }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    expect(rejected).toHaveLength(19);
    for (const r of rejected)
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    expect(await readAllOf(client.readStream(stream))).toHaveLength(2);
  });

  it('stamps events with the server clock and strictly increasing positions', async () => {
    const stream = freshStream('clock');
    const before = Date.now();
    const appends = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.appendToStream(stream, event('Tick', { i }))),
    );
    const after = Date.now();
    const read = await readAllOf(client.readStream(stream));
    for (const resolved of read) {
      expect(resolved.event!.created.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(resolved.event!.created.getTime()).toBeLessThanOrEqual(after + 1);
    }
    const positions = read.map((e) => e.event!.position!);
    for (let i = 1; i < positions.length; i++) {
      expect(positions[i]!.commit > positions[i - 1]!.commit).toBe(true);
    }
    expect(positions.map((p) => p.commit).sort()).toEqual(
      appends.map((a) => a.position!.commit).sort(),
    );
  });
});
