import {
  EventStoreDBClient,
  excludeSystemEvents,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedEventStore, startEmbeddedEventStore } from '../src/index.js';
import { event, freshStream, readAllOf, sharedClient } from './support.js';

const client = sharedClient();
afterAll(() => client.dispose());

const types = async (stream: string, c = client) =>
  (await readAllOf(c.readStream(stream))).map((e) => e.event!.type);

describe('soft delete', () => {
  it('hides the stream from reads; a later append restarts it above the old revisions', async () => {
    const stream = freshStream('soft');
    await client.appendToStream(stream, [event('A'), event('B')]);
    await client.setStreamMetadata(stream, { customKey: 'kept' } as never);
    await client.deleteStream(stream, { expectedRevision: 1n });
    await expect(types(stream)).rejects.toBeInstanceOf(StreamNotFoundError);

    const recreated = await client.appendToStream(stream, event('C'));
    expect(recreated.nextExpectedRevision).toBe(2n);
    const events = await readAllOf(client.readStream(stream));
    expect(events.map((e) => [e.event!.type, e.event!.revision])).toEqual([['C', 2n]]);
    const { metadata } = await client.getStreamMetadata(stream);
    expect(metadata).toMatchObject({ truncateBefore: 2, customKey: 'kept' });
  });

  it('can be recreated with no_stream or with the revision it had', async () => {
    const byNoStream = freshStream('soft');
    await client.appendToStream(byNoStream, event('A'));
    await client.deleteStream(byNoStream);
    await client.appendToStream(byNoStream, event('B'), { expectedRevision: 'no_stream' });
    expect(await types(byNoStream)).toEqual(['B']);

    const byRevision = freshStream('soft');
    await client.appendToStream(byRevision, [event('A'), event('B')]);
    await client.deleteStream(byRevision);
    await client.appendToStream(byRevision, event('C'), { expectedRevision: 1n });
    expect(await types(byRevision)).toEqual(['C']);
  });

  it('answers stream_exists against a soft-deleted stream with StreamDeleted', async () => {
    const stream = freshStream('soft');
    await client.appendToStream(stream, event('A'));
    await client.deleteStream(stream);
    await expect(
      client.appendToStream(stream, event('B'), { expectedRevision: 'stream_exists' }),
    ).rejects.toBeInstanceOf(StreamDeletedError);
  });

  it('refuses a delete at the wrong expected revision', async () => {
    const stream = freshStream('soft');
    await client.appendToStream(stream, [event('A'), event('B')]);
    const error = await client
      .deleteStream(stream, { expectedRevision: 0n })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(await types(stream)).toEqual(['A', 'B']);
  });
});

describe('tombstone', () => {
  it('makes reads, appends, deletes and subscriptions fail with StreamDeletedError forever', async () => {
    const stream = freshStream('hard');
    await client.appendToStream(stream, event('A'));
    const result = await client.tombstoneStream(stream);
    expect(result.position!.commit > 0n).toBe(true);
    await expect(types(stream)).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.appendToStream(stream, event('B'))).rejects.toBeInstanceOf(
      StreamDeletedError,
    );
    await expect(
      client.appendToStream(stream, event('B'), { credentials: { username: 'a', password: 'b' } }),
    ).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.tombstoneStream(stream)).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.deleteStream(stream)).rejects.toBeInstanceOf(StreamDeletedError);
    const subscription = client.subscribeToStream(stream);
    const failure = await new Promise((resolve) => subscription.once('error', resolve));
    expect(failure).toBeInstanceOf(StreamDeletedError);
  });

  it('writes the $streamDeleted event into $all', async () => {
    const stream = freshStream('hard');
    await client.appendToStream(stream, event('A'));
    const { position } = await client.tombstoneStream(stream);
    const [tombstone] = await readAllOf(client.readAll({ fromPosition: position!, maxCount: 1 }));
    expect(tombstone!.event).toMatchObject({
      streamId: stream,
      type: '$streamDeleted',
      revision: 9223372036854775807n,
    });
  });
});

describe('stream metadata', () => {
  it('round-trips through the $$stream metadata stream, visible as $metadata in $all', async () => {
    const stream = freshStream('meta');
    const written = await client.setStreamMetadata(stream, { maxCount: 3, cacheControl: 10 });
    expect((await client.getStreamMetadata(stream)).metadata).toEqual({
      maxCount: 3,
      cacheControl: 10,
    });
    const [system] = await readAllOf(
      client.readAll({ fromPosition: written.position!, maxCount: 1 }),
    );
    expect(system!.event).toMatchObject({
      streamId: `$$${stream}`,
      type: '$metadata',
      data: { $maxCount: 3, $cacheControl: 10 },
    });
  });

  it('honours maxCount and truncateBefore in reads', async () => {
    const stream = freshStream('meta');
    await client.appendToStream(
      stream,
      Array.from({ length: 6 }, (_, i) => event(`E${i}`)),
    );
    await client.setStreamMetadata(stream, { maxCount: 2 });
    expect(await types(stream)).toEqual(['E4', 'E5']);
    await client.setStreamMetadata(stream, { truncateBefore: 3 });
    expect(await types(stream)).toEqual(['E3', 'E4', 'E5']);
    await client.setStreamMetadata(stream, {});
    expect(await types(stream)).toHaveLength(6);
  });

  it('keeps system events out of excludeSystemEvents subscriptions', async () => {
    const stream = freshStream('meta');
    const { position } = await client.appendToStream(stream, event('Visible'));
    const marker = await client.setStreamMetadata(stream, { maxCount: 1 });
    await client.appendToStream(stream, event('AlsoVisible'));
    const seen: string[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: position!,
      filter: excludeSystemEvents(),
    });
    for await (const resolved of subscription) {
      if (resolved.event!.streamId.includes(stream)) seen.push(resolved.event!.type);
      if (seen.length === 1 && resolved.event!.type === 'AlsoVisible') break;
    }
    await subscription.unsubscribe();
    expect(seen).toEqual(['AlsoVisible']);
    expect(marker.position!.commit > position!.commit).toBe(true);
  });
});

describe('maxAge', () => {
  let now = Date.parse('2030-01-01T00:00:00Z');
  let store: EmbeddedEventStore;
  let own: EventStoreDBClient;
  beforeAll(async () => {
    store = await startEmbeddedEventStore({ clock: () => now });
    own = EventStoreDBClient.connectionString(store.url);
  });
  afterAll(async () => {
    await own.dispose();
    await store.close();
  });

  it('hides events older than maxAge seconds by the server clock', async () => {
    await own.appendToStream('aging', event('Old'));
    now += 90_000;
    await own.appendToStream('aging', event('New'));
    await own.setStreamMetadata('aging', { maxAge: 60 });
    expect(await types('aging', own)).toEqual(['New']);
    const [stamped] = await readAllOf(own.readStream('aging'));
    expect(stamped!.event!.created.getTime()).toBe(Date.parse('2030-01-01T00:01:30Z'));
  });
});
