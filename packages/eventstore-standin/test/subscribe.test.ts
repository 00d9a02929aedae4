import {
  END,
  EventStoreDBClient,
  eventTypeFilter,
  excludeSystemEvents,
  type Position,
  START,
  streamNameFilter,
} from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedEventStore, startEmbeddedEventStore } from '../src/index.js';
import { caughtUp, collect, event, freshStream, sharedClient } from './support.js';

const client = sharedClient();
afterAll(() => client.dispose());

describe('subscribing to a stream', () => {
  it('sends the back catalogue, then caught-up, then live events', async () => {
    const stream = freshStream('sub');
    await client.appendToStream(stream, [event('A'), event('B')]);
    const subscription = client.subscribeToStream(stream, { fromRevision: START });
    const done = collect(subscription, (events) => events.length === 3);
    await caughtUp(subscription);
    // C is appended only after caught-up, so it can only have arrived live.
    await client.appendToStream(stream, event('C'));
    expect((await done).map((e) => e.event!.type)).toEqual(['A', 'B', 'C']);
  });

  it('starts after the given revision (exclusive), unlike a read', async () => {
    const stream = freshStream('sub');
    await client.appendToStream(stream, [event('A'), event('B'), event('C')]);
    const events = await collect(
      client.subscribeToStream(stream, { fromRevision: 0n }),
      (e) => e.length === 2,
    );
    expect(events.map((e) => e.event!.revision)).toEqual([1n, 2n]);
  });

  it('from the end delivers only what is appended afterwards', async () => {
    const stream = freshStream('sub');
    await client.appendToStream(stream, event('Old'));
    const subscription = client.subscribeToStream(stream, { fromRevision: END });
    const done = collect(subscription, (e) => e.length === 1);
    await caughtUp(subscription);
    await client.appendToStream(stream, event('New'));
    expect((await done).map((e) => e.event!.type)).toEqual(['New']);
  });

  it('misses nothing and repeats nothing while appends race the switch to live', async () => {
    const stream = freshStream('switch');
    const total = 300;
    const writer = (async () => {
      for (let i = 0; i < total; i += 3) {
        await client.appendToStream(stream, [
          event('N', { i }),
          event('N', { i: i + 1 }),
          event('N', { i: i + 2 }),
        ]);
      }
    })();
    // Subscribe once the writer is under way, so the switch to live happens mid-stream.
    await new Promise<void>((resolve) => {
      const probe = client.subscribeToStream(stream, { fromRevision: START });
      probe.once('data', () => {
        void probe.unsubscribe();
        resolve();
      });
    });
    const events = await collect(
      client.subscribeToStream(stream, { fromRevision: START }),
      (e) => e.length === total,
    );
    await writer;
    expect(events.map((e) => Number(e.event!.revision))).toEqual(
      Array.from({ length: total }, (_, i) => i),
    );
    expect(events.map((e) => (e.event!.data as { i: number }).i)).toEqual(
      Array.from({ length: total }, (_, i) => i),
    );
  });
});

describe('subscribing to $all', () => {
  // A store of our own: checkpoint positions depend on every event in $all.
  let store: EmbeddedEventStore;
  let own: EventStoreDBClient;
  beforeAll(async () => {
    store = await startEmbeddedEventStore({ port: 0 });
    own = EventStoreDBClient.connectionString(store.url);
  });
  afterAll(async () => {
    await own.dispose();
    await store.close();
  });

  it('filters by stream prefix, stream regex, event type and system events', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    await own.appendToStream(`keep${tag}-1`, [event('Kept'), event('$system-ish')]);
    await own.appendToStream(`drop${tag}-1`, event('Kept'));
    await own.setStreamMetadata(`keep${tag}-1`, { maxCount: 10 });
    const upTo = (n: number) => (events: unknown[]) => events.length === n;

    const byPrefix = await collect(
      own.subscribeToAll({ filter: streamNameFilter({ prefixes: [`keep${tag}`] }) }),
      upTo(2),
    );
    expect(byPrefix.map((e) => e.event!.streamId)).toEqual([`keep${tag}-1`, `keep${tag}-1`]);

    const byRegex = await collect(
      own.subscribeToAll({ filter: streamNameFilter({ regex: `^drop${tag}` }) }),
      upTo(1),
    );
    expect(byRegex.map((e) => e.event!.streamId)).toEqual([`drop${tag}-1`]);

    // A new store starts with EventStoreDB's `$settings` system event.
    const byType = await collect(
      own.subscribeToAll({ filter: eventTypeFilter({ prefixes: ['$'] }) }),
      upTo(3),
    );
    expect(byType.map((e) => e.event!.type)).toEqual(['$settings', '$system-ish', '$metadata']);
    expect(byType[2]!.event!.streamId).toBe(`$$keep${tag}-1`);

    const subscription = own.subscribeToAll({ filter: excludeSystemEvents() });
    const noSystem = collect(subscription, () => false);
    await caughtUp(subscription);
    await subscription.unsubscribe();
    expect((await noSystem).map((e) => e.event!.type)).toEqual(['Kept', 'Kept']);
  });

  it('sends checkpoints every 32 × multiplier considered events, filtered out or not', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    for (let i = 0; i < 10; i++) {
      await own.appendToStream(
        `noise${tag}`,
        Array.from({ length: 10 }, () => event('Noise')),
      );
    }
    const all: Position[] = [];
    for await (const resolved of own.readAll({ fromPosition: START }))
      all.push(resolved.event!.position!);
    const checkpoints: Position[] = [];
    let sawCaughtUp = false;
    const subscription = own.subscribeToAll({
      filter: streamNameFilter({
        prefixes: [`match${tag}`],
        checkpointInterval: 2,
        checkpointReached: (_s, position) => {
          if (!sawCaughtUp) checkpoints.push(position);
        },
      }),
    });
    const caught = new Promise<void>((resolve) =>
      subscription.on('caughtUp', () => {
        sawCaughtUp = true;
        resolve();
      }),
    );
    const done = collect(subscription, () => false);
    await caught;
    // 64 = 32 × 2: the 64th considered event, then the point where it caught up.
    const expected = all.filter((_, i) => (i + 1) % 64 === 0);
    expect(checkpoints.slice(0, expected.length)).toEqual(expected);
    expect(checkpoints[checkpoints.length - 1]).toEqual(all[all.length - 1]);
    await subscription.unsubscribe();
    await done;
  });

  it('keeps sending checkpoints while live events are filtered out', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const live: Position[] = [];
    let isLive = false;
    let reached: () => void = () => {};
    const twoLiveCheckpoints = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const subscription = own.subscribeToAll({
      fromPosition: END,
      filter: streamNameFilter({
        prefixes: [`never${tag}`],
        checkpointReached: (_s, position) => {
          if (!isLive) return;
          live.push(position);
          if (live.length === 2) reached();
        },
      }),
    });
    const done = collect(subscription, () => false);
    await caughtUp(subscription);
    isLive = true;
    const appended = [];
    for (let i = 0; i < 64; i++)
      appended.push(await own.appendToStream(`live${tag}`, event('Noise')));
    await twoLiveCheckpoints;
    expect(live).toEqual([appended[31]!.position, appended[63]!.position]);
    await subscription.unsubscribe();
    await done;
  });

  it('starts after the given position (exclusive) where a read starts at it', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const first = await own.appendToStream(`pos${tag}`, event('First'));
    await own.appendToStream(`pos${tag}`, event('Second'));
    const events = await collect(
      own.subscribeToAll({ fromPosition: first.position! }),
      (e) => e.length === 1,
    );
    expect(events[0]!.event!.type).toBe('Second');
    for await (const resolved of own.readAll({ fromPosition: first.position!, maxCount: 1 })) {
      expect(resolved.event!.type).toBe('First');
    }
  });
});
