import {
  BACKWARDS,
  binaryEvent,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  jsonEvent,
  type Position,
  type ResolvedEvent,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedEventStore, startEmbeddedEventStore } from '../src/index.js';
import { caughtUp, collect, freshStream, readAllOf } from './support.js';

// What the EventStoreDB Node client's own `streams` tests (packages/test/src/streams) expect of a
// server, restated through the client against the stand-in. The tests that need a user
// projection (linkTo) or a secure node with ACLs are not restated; by-category.test.ts restates
// the link-resolution expectations against `$by_category`'s links.

let store: EmbeddedEventStore;
let client: EventStoreDBClient;
beforeAll(async () => {
  // Its own store: the $all expectations below count every user event in it.
  store = await startEmbeddedEventStore();
  client = EventStoreDBClient.connectionString(store.url);
});
afterAll(async () => {
  await client.dispose();
  await store.close();
});

/** The client tests' jsonTestEvents: `count` events of `type` with `{ message, index }`. */
function testEvents(count = 4, type = 'test') {
  return Array.from({ length: count }, (_, index) =>
    jsonEvent({ type, data: { message: 'test', index } }),
  );
}

function binaryTestEvents(count = 4, type = 'test') {
  return Array.from({ length: count }, (_, index) =>
    binaryEvent({ type, data: Buffer.from(`hello: ${index}`) }),
  );
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'unreachable',
    (error: unknown) => error,
  );
}

const paths = [
  { name: 'BatchAppend', options: {} },
  { name: 'Append', options: { credentials: { username: 'admin', password: 'changeit' } } },
];

describe.each(paths)('appendToStream through $name', ({ options }) => {
  it('reports no_stream against an existing stream with the stream, expected and actual versions', async () => {
    const stream = freshStream('no-stream-but-there-is');
    await client.appendToStream(stream, testEvents(), options);
    const error = await failure(
      client.appendToStream(stream, testEvents(), { ...options, expectedRevision: 'no_stream' }),
    );
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    const wrong = error as WrongExpectedVersionError;
    expect(wrong.streamName).toBe(stream);
    expect(wrong.expectedVersion).toBe('no_stream');
    expect(wrong.actualVersion).toBe(3n);
  });

  it('reports stream_exists and an exact revision against a missing stream as actual no_stream', async () => {
    const stream = freshStream('missing');
    const exists = (await failure(
      client.appendToStream(stream, testEvents(), {
        ...options,
        expectedRevision: 'stream_exists',
      }),
    )) as WrongExpectedVersionError;
    expect(exists).toBeInstanceOf(WrongExpectedVersionError);
    expect(exists.expectedVersion).toBe('stream_exists');
    expect(exists.actualVersion).toBe('no_stream');
    const exact = (await failure(
      client.appendToStream(stream, testEvents(), { ...options, expectedRevision: 1n }),
    )) as WrongExpectedVersionError;
    expect(exact.streamName).toBe(stream);
    expect(exact.expectedVersion).toBe(1n);
    expect(exact.actualVersion).toBe('no_stream');
  });

  it('reports a wrong exact revision with the expected and the actual revision', async () => {
    const stream = freshStream('wrong-revision');
    const { nextExpectedRevision } = await client.appendToStream(stream, testEvents(), options);
    const error = (await failure(
      client.appendToStream(stream, testEvents(), {
        ...options,
        expectedRevision: nextExpectedRevision + 1n,
      }),
    )) as WrongExpectedVersionError;
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error.expectedVersion).toBe(nextExpectedRevision + 1n);
    expect(error.actualVersion).toBe(nextExpectedRevision);
  });

  it('refuses an append to a tombstoned stream with StreamDeletedError naming it', async () => {
    const stream = freshStream('i-will-be-deleted');
    await client.appendToStream(stream, testEvents(), options);
    await client.tombstoneStream(stream);
    const error = await failure(client.appendToStream(stream, testEvents(), options));
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect((error as StreamDeletedError).streamName).toBe(stream);
  });

  it('returns a failed result instead of throwing when throwOnAppendFailure=false', async () => {
    const lenient = EventStoreDBClient.connectionString(`${store.url}&throwOnAppendFailure=false`);
    const stream = freshStream('lenient');
    await lenient.appendToStream(stream, testEvents(), options);
    const result = await lenient.appendToStream(stream, testEvents(), {
      ...options,
      expectedRevision: 'no_stream',
    });
    expect(result.success).toBe(false);
    expect(result.nextExpectedRevision).toBeGreaterThanOrEqual(1n);
    await lenient.dispose();
  });
});

describe('appendToStream', () => {
  it('keeps a unicode JSON string, binary data and every kind of metadata as written', async () => {
    const stream = freshStream('encode');
    await client.appendToStream(stream, [
      jsonEvent({ type: 'TestEncode', data: 'CC ‐ 1830' }),
      jsonEvent({ type: 'm', data: { kind: 'json' }, metadata: { metaMessage: 'meta' } }),
      binaryEvent({ type: 'm', data: Buffer.from('bin'), metadata: Buffer.from('raw meta') }),
      binaryEvent({ type: 'm', data: Buffer.from('bin') }),
    ]);
    const [unicode, json, binary, bare] = await readAllOf(client.readStream(stream));
    expect(unicode!.event!.data).toBe('CC ‐ 1830');
    expect(json!.event!.metadata).toEqual({ metaMessage: 'meta' });
    expect(Buffer.from(binary!.event!.data as Uint8Array).toString()).toBe('bin');
    expect(Buffer.from(binary!.event!.metadata as Uint8Array).toString()).toBe('raw meta');
    expect(bare!.event!.metadata).toBeUndefined();
  });

  it('resolves a hand-written $> link to the very event it points at', async () => {
    const target = freshStream('link-to');
    const from = freshStream('link-from');
    await client.appendToStream(target, testEvents());
    await client.appendToStream(
      from,
      binaryEvent({ type: '$>', data: Buffer.from(`2@${target}`) }),
    );
    const [original] = await readAllOf(
      client.readStream(target, { fromRevision: 2n, maxCount: 1 }),
    );
    const [resolved] = await readAllOf(client.readStream(from, { resolveLinkTos: true }));
    expect(original!.link).toBeUndefined();
    expect(resolved!.link?.type).toBe('$>');
    expect(resolved!.event).toEqual(original!.event);
  });
});

describe('readStream', () => {
  const stream = freshStream('read');
  let appended: Awaited<ReturnType<EventStoreDBClient['appendToStream']>>;
  beforeAll(async () => {
    appended = await client.appendToStream(stream, [
      ...testEvents(4, 'json-test'),
      ...binaryTestEvents(4, 'binary-test'),
    ]);
  });
  const count = async (options: Parameters<EventStoreDBClient['readStream']>[1]) =>
    (await readAllOf(client.readStream(stream, options))).length;

  it('reads JSON and binary events with their types', async () => {
    const [json] = await readAllOf(client.readStream(stream, { fromRevision: 1n, maxCount: 1 }));
    expect(json!.event).toMatchObject({ isJson: true, type: 'json-test' });
    expect(json!.event!.data).toMatchObject({ index: 1, message: 'test' });
    const [binary] = await readAllOf(client.readStream(stream, { fromRevision: 5n, maxCount: 1 }));
    expect(binary!.event).toMatchObject({ isJson: false, type: 'binary-test' });
    expect(Buffer.from(binary!.event!.data as Uint8Array).toString()).toBe('hello: 1');
  });

  it('counts from the start, from a revision, backwards from the end and from a revision, up to maxCount', async () => {
    expect(await count({})).toBe(8);
    expect(await count({ fromRevision: 1n })).toBe(7);
    expect(await count({ direction: BACKWARDS, fromRevision: END })).toBe(8);
    expect(await count({ direction: BACKWARDS, fromRevision: 1n })).toBe(2);
    expect(await count({ maxCount: 2 })).toBe(2);
    // Past the end: nothing forwards, everything backwards.
    expect(await count({ fromRevision: 100n })).toBe(0);
    expect(await count({ direction: BACKWARDS, fromRevision: 100n })).toBe(8);
    expect(await count({ fromRevision: END })).toBe(0);
  });

  it('gives the last event the log position the append reported', async () => {
    const [last] = await readAllOf(
      client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
    );
    expect(last!.event!.position).toEqual(appended.position);
  });

  it('throws StreamNotFoundError naming a stream that does not exist', async () => {
    const missing = freshStream('not-a-stream');
    const error = await failure(readAllOf(client.readStream(missing)));
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect((error as StreamNotFoundError).streamName).toBe(missing);
  });
});

describe('deleteStream', () => {
  it('makes a stream unreadable, with any revision or the exact last one', async () => {
    const any = freshStream('delete-any');
    await client.appendToStream(any, testEvents());
    expect(await client.deleteStream(any)).toBeDefined();
    await expect(readAllOf(client.readStream(any))).rejects.toThrow(StreamNotFoundError);

    const exact = freshStream('delete-exact');
    await client.appendToStream(exact, testEvents());
    const wrong = (await failure(
      client.deleteStream(exact, { expectedRevision: 2n }),
    )) as WrongExpectedVersionError;
    expect(wrong).toBeInstanceOf(WrongExpectedVersionError);
    expect(wrong.streamName).toBe(exact);
    expect(wrong.expectedVersion).toBe(2n);
    expect(wrong.actualVersion).toBe(3n);
    const [last] = await readAllOf(
      client.readStream(exact, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
    );
    await client.deleteStream(exact, { expectedRevision: last!.event!.revision });
    await expect(readAllOf(client.readStream(exact))).rejects.toThrow(StreamNotFoundError);
  });

  it('with no_stream: refuses an existing stream, accepts one that has only metadata', async () => {
    const existing = freshStream('i-exist');
    await client.appendToStream(existing, testEvents());
    const error = await failure(client.deleteStream(existing, { expectedRevision: 'no_stream' }));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect((error as WrongExpectedVersionError).streamName).toBe(existing);

    const implicit = freshStream('i-exist-implicitly');
    await client.setStreamMetadata(implicit, { cacheControl: 10 });
    expect(await client.deleteStream(implicit, { expectedRevision: 'no_stream' })).toBeDefined();
  });
});

describe('tombstoneStream', () => {
  it('makes reads fail with StreamDeletedError naming the stream', async () => {
    const stream = freshStream('tombstone');
    await client.appendToStream(stream, testEvents());
    const wrong = (await failure(
      client.tombstoneStream(stream, { expectedRevision: 2n }),
    )) as WrongExpectedVersionError;
    expect(wrong).toBeInstanceOf(WrongExpectedVersionError);
    expect(wrong.expectedVersion).toBe(2n);
    await client.tombstoneStream(stream, { expectedRevision: 3n });
    const error = await failure(readAllOf(client.readStream(stream, { maxCount: 10 })));
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect((error as StreamDeletedError).streamName).toBe(stream);
  });

  it('with no_stream: refuses an existing stream, tombstones a missing one for good', async () => {
    const existing = freshStream('i-exist');
    await client.appendToStream(existing, testEvents());
    await expect(
      client.tombstoneStream(existing, { expectedRevision: 'no_stream' }),
    ).rejects.toThrow(WrongExpectedVersionError);
    const missing = freshStream('never-was');
    await client.tombstoneStream(missing, { expectedRevision: 'no_stream' });
    await expect(readAllOf(client.readStream(missing))).rejects.toThrow(StreamDeletedError);
  });
});

describe('stream metadata', () => {
  it('is empty for a stream without metadata, written or not', async () => {
    expect(await client.getStreamMetadata(freshStream('anything'))).toEqual({
      streamName: expect.any(String),
    });
    const written = freshStream('written');
    await client.appendToStream(written, testEvents());
    expect(await client.getStreamMetadata(written)).toEqual({ streamName: written });
  });

  it('round-trips every key, custom keys, and the latest of two writes', async () => {
    const stream = freshStream('all-keys');
    const metadata = {
      maxAge: 2,
      cacheControl: 15,
      truncateBefore: 1,
      maxCount: 12,
      acl: {
        readRoles: ['admin'],
        writeRoles: ['admin'],
        deleteRoles: ['admin'],
        metaReadRoles: ['admin'],
        metaWriteRoles: ['admin'],
      },
    };
    await client.setStreamMetadata(stream, metadata);
    const read = await client.getStreamMetadata(stream);
    expect(read.streamName).toBe(stream);
    expect(read.metadata).toEqual(metadata);

    const custom = freshStream('custom-keys');
    await client.setStreamMetadata(custom, { maxCount: 12, turkey: '🦃' });
    await client.setStreamMetadata(custom, { maxCount: 11, turkey: '🍗' });
    expect((await client.getStreamMetadata(custom)).metadata).toEqual({
      maxCount: 11,
      turkey: '🍗',
    });
  });

  it('applies to the stream it names: maxCount 2 leaves two of twenty events readable', async () => {
    const stream = freshStream('the-right-place');
    await client.setStreamMetadata(stream, { maxCount: 2 });
    await client.appendToStream(stream, testEvents(20));
    const read = await readAllOf(client.readStream(stream, { fromRevision: START, maxCount: 200 }));
    expect(read.map((e) => e.event!.revision)).toEqual([18n, 19n]);
  });
});

describe('readAll', () => {
  const a = freshStream('stream-name-a');
  const b = freshStream('stream-name-b');
  const isUser = (resolved: ResolvedEvent) =>
    resolved.event !== undefined && !resolved.event.streamId.startsWith('$');
  beforeAll(async () => {
    await client.appendToStream(a, testEvents());
    await client.appendToStream(b, testEvents());
  });

  it('reads system events first, then user events in order; backwards the other way round', async () => {
    const forwards = await readAllOf(client.readAll());
    expect(forwards[0]!.event!.streamId.startsWith('$')).toBe(true);
    const ours = (events: ResolvedEvent[]) =>
      events
        .filter(isUser)
        .map((e) => e.event!.streamId)
        .filter((id) => id === a || id === b);
    expect(ours(forwards)).toEqual([a, a, a, a, b, b, b, b]);
    const backwards = await readAllOf(client.readAll({ direction: BACKWARDS, fromPosition: END }));
    expect(ours(backwards)).toEqual([b, b, b, b, a, a, a, a]);
    expect(backwards.map((e) => e.event!.id)).toEqual(forwards.map((e) => e.event!.id).reverse());
  });

  it('reads from a position inclusively, and no more than maxCount', async () => {
    const three = await readAllOf(client.readAll({ maxCount: 3 }));
    expect(three).toHaveLength(3);
    const third = three[2]!;
    const [again] = await readAllOf(
      client.readAll({ maxCount: 1, fromPosition: third.event!.position }),
    );
    expect(again).toEqual(third);
  });
});

describe('subscribeToStream', () => {
  it('from a revision: the events after it, caught up once, then live ones', async () => {
    const stream = freshStream('from-revision');
    await client.appendToStream(stream, testEvents(4));
    const subscription = client.subscribeToStream(stream, { fromRevision: 2n });
    const caught = caughtUp(subscription);
    const seen = collect(subscription, (events) => events.length === 5);
    await caught;
    await client.appendToStream(stream, [
      ...testEvents(3),
      jsonEvent({ type: 'finish-test', data: {} }),
    ]);
    expect((await seen).map((e) => e.event!.revision)).toEqual([3n, 4n, 5n, 6n, 7n]);
  });
});

describe('subscribeToAll with a filter', () => {
  it('sends a checkpoint every 32 x checkpointInterval events considered: 6 or 7 over 384', async () => {
    const stream = freshStream('checkpoints');
    const marker = await client.appendToStream(stream, jsonEvent({ type: 'marker', data: {} }));
    await client.appendToStream(stream, testEvents(8));
    const checkpoints: Position[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: marker.position!,
      filter: excludeSystemEvents({
        checkpointInterval: 2,
        checkpointReached: (_, position) => {
          checkpoints.push(position);
        },
      }),
    });
    const seen = collect(subscription, (events) => events.at(-1)?.event?.type === 'finish');
    for (let i = 0; i < 18; i++) await client.appendToStream(stream, testEvents(20));
    await client.appendToStream(stream, [
      ...testEvents(15),
      jsonEvent({ type: 'finish', data: {} }),
    ]);
    expect(await seen).toHaveLength(384);
    expect(checkpoints.length).toBeGreaterThanOrEqual(6);
    expect(checkpoints.length).toBeLessThanOrEqual(7);
  });
});
