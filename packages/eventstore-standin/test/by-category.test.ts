import {
  BACKWARDS,
  binaryEvent,
  END,
  EventStoreDBClient,
  jsonEvent,
  type ResolvedEvent,
  RUNNING,
  STOPPED,
  StreamNotFoundError,
  UnknownError,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { startEmbeddedEventStore } from '../src/index.js';
import { ownStores } from './own-stores.js';
import { collect, event, readAllOf } from './support.js';

// `$by_category` as the client's own tests and EventStoreDB's projection use it, through the
// client. Every test has a store of its own: enabling the projection writes links into `$all`.

const BY_CATEGORY = '$by_category';
const { start, stop, freshDir } = ownStores({ runProjections: 'all' });

/** The first `count` events of `$ce-<category>`, links resolved, as a subscriber gets them. */
function categoryEvents(
  client: EventStoreDBClient,
  category: string,
  count: number,
): Promise<ResolvedEvent[]> {
  return collect(
    client.subscribeToStream(`$ce-${category}`, { resolveLinkTos: true }),
    (events) => events.length >= count,
  );
}

/** Every `$ce-` link in `$all`, as `<category stream> -> <link data>`. */
async function linksInAll(client: EventStoreDBClient): Promise<string[]> {
  const all = await readAllOf(client.readAll());
  return all
    .filter((e) => e.event?.streamId.startsWith('$ce-'))
    .map((e) => `${e.event!.streamId} -> ${Buffer.from(e.event!.data as Uint8Array).toString()}`);
}

const linkData = (resolved: ResolvedEvent) =>
  Buffer.from(resolved.link!.data as Uint8Array).toString();
const linkMetadata = (resolved: ResolvedEvent) =>
  resolved.link!.metadata as unknown as Record<string, unknown>;

describe('$by_category', () => {
  it('starts disabled on a new database: Stopped, and no $ce- stream', async () => {
    const { client } = await start();
    await client.appendToStream('order-1', event('Placed'));
    const status = await client.getProjectionStatus(BY_CATEGORY);
    expect(status.name).toBe(BY_CATEGORY);
    expect(status.projectionStatus).toBe(STOPPED);
    await expect(readAllOf(client.readStream('$ce-order'))).rejects.toThrow(StreamNotFoundError);
    const listed = await client.listProjections();
    expect(listed.map((p) => p.name)).toEqual([BY_CATEGORY]);
  });

  it('once enabled, links every earlier event to $ce-<category>, by the first dash', async () => {
    const { client } = await start();
    const placed = await client.appendToStream('order-1', [event('Placed'), event('Paid')]);
    await client.appendToStream('order-2-x', event('Placed'));
    await client.appendToStream('customer-7', event('Registered'));
    // Not categorised: no dash, a leading dash, a system stream.
    await client.appendToStream('nodash', event('Ignored'));
    await client.appendToStream('-leading', event('Ignored'));
    await client.appendToStream('$system-stream', event('Ignored'));
    await client.setStreamMetadata('order-1', { maxCount: 100 });
    await client.appendToStream('zzz-last', event('Last'));

    await client.enableProjection(BY_CATEGORY);
    const orders = await categoryEvents(client, 'order', 3);
    expect(orders.map((e) => [e.event!.streamId, e.event!.revision, e.event!.type])).toEqual([
      ['order-1', 0n, 'Placed'],
      ['order-1', 1n, 'Paid'],
      ['order-2-x', 0n, 'Placed'],
    ]);
    expect(orders.map(linkData)).toEqual(['0@order-1', '1@order-1', '0@order-2-x']);
    expect(orders.map((e) => e.link!.type)).toEqual(['$>', '$>', '$>']);
    expect(orders.map((e) => e.link!.revision)).toEqual([0n, 1n, 2n]);
    // Stamped as EventStoreDB's emitted links are: the source's id, stream and $all position.
    const metadata = linkMetadata(orders[1]!);
    expect(metadata.$causedBy).toBe(orders[1]!.event!.id);
    expect(metadata.$o).toBe('order-1');
    expect(BigInt(metadata.$p as number)).toBe(placed.position!.prepare);
    expect(BigInt(metadata.$c as number)).toBe(placed.position!.commit);
    expect(metadata.$v).toMatch(/^\d+:\d+:\d+:4$/);
    await categoryEvents(client, 'zzz', 1);

    expect(await linksInAll(client)).toEqual([
      '$ce-order -> 0@order-1',
      '$ce-order -> 1@order-1',
      '$ce-order -> 0@order-2-x',
      '$ce-customer -> 0@customer-7',
      '$ce-zzz -> 0@zzz-last',
    ]);
    expect((await client.getProjectionStatus(BY_CATEGORY)).projectionStatus).toBe(RUNNING);
  });

  it('links events appended while it runs, and a subscriber with resolveLinkTos gets them live', async () => {
    const { client } = await start();
    await client.enableProjection(BY_CATEGORY);
    const subscription = categoryEvents(client, 'cart', 3);
    await client.appendToStream('cart-1', event('Added', { sku: 'a' }));
    await client.appendToStream('other-1', event('Elsewhere'));
    await client.appendToStream('cart-2', [event('Added', { sku: 'b' }), event('Removed')]);
    const live = await subscription;
    expect(live.map((e) => [e.event!.streamId, e.event!.type])).toEqual([
      ['cart-1', 'Added'],
      ['cart-2', 'Added'],
      ['cart-2', 'Removed'],
    ]);
    expect(live[0]!.event!.data).toEqual({ sku: 'a' });
    expect(live.every((e) => e.link?.type === '$>' && e.link.streamId === '$ce-cart')).toBe(true);
  });

  // The expectations of the client's readStream / readAll "resolve link tos" tests, with the
  // `$ce-` link standing for the link their user projection writes.
  it('resolves its links on stream reads and $all reads only when asked, with $causedBy', async () => {
    const { client } = await start();
    await client.enableProjection(BY_CATEGORY);
    await client.appendToStream(
      'link-from-stream',
      jsonEvent({ type: 'linky', data: { some: 'thing' } }),
    );
    await categoryEvents(client, 'link', 1);

    const [noResolve] = await readAllOf(client.readStream('$ce-link', { maxCount: 1 }));
    expect(noResolve!.event?.type).toBe('$>');
    expect(noResolve!.link).toBeUndefined();
    const [doResolve] = await readAllOf(
      client.readStream('$ce-link', { maxCount: 1, resolveLinkTos: true }),
    );
    expect(doResolve!.event?.type).toBe('linky');
    expect(doResolve!.link?.type).toBe('$>');
    expect(doResolve!.event?.id).toBe(
      (noResolve!.event!.metadata as Record<string, unknown>).$causedBy,
    );
    expect(doResolve!.event?.id).toBe(linkMetadata(doResolve!).$causedBy);

    const firstLink = (await readAllOf(client.readAll())).find((e) => e.event?.type === '$>');
    expect(firstLink?.event?.streamId).toBe('$ce-link');
    const [fromAll] = await readAllOf(
      client.readAll({
        maxCount: 1,
        resolveLinkTos: true,
        fromPosition: firstLink!.event!.position!,
      }),
    );
    expect(fromAll!.event?.type).toBe('linky');
    expect(fromAll!.link?.type).toBe('$>');
    expect(fromAll!.event?.id).toBe(linkMetadata(fromAll!).$causedBy);
    // Backwards from the end, the last event of $all is that link, unresolved by default.
    const [last] = await readAllOf(
      client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }),
    );
    expect(last!.event?.type).toBe('$>');
  });

  it('links a link to the same target, and a deleted stream to its category with $deleted', async () => {
    const { client } = await start();
    const target = await client.appendToStream('item-1', event('Made'));
    await client.appendToStream(
      'a-thing',
      binaryEvent({ type: '$>', data: Buffer.from('0@item-1') }),
    );
    await client.appendToStream('gone-1', event('Born'));
    await client.tombstoneStream('gone-1');
    await client.appendToStream('soft-1', event('Born'));
    await client.deleteStream('soft-1');
    await client.enableProjection(BY_CATEGORY);

    const [viaLink] = await categoryEvents(client, 'a', 1);
    expect(linkData(viaLink!)).toBe('0@item-1');
    expect(viaLink!.event?.streamId).toBe('item-1');
    expect(viaLink!.event?.position).toEqual(target.position);
    expect(linkMetadata(viaLink!).$o).toBe('a-thing');

    const gone = await categoryEvents(client, 'gone', 2);
    expect(linkData(gone[1]!)).toBe('9223372036854775807@gone-1');
    expect(linkMetadata(gone[1]!).$deleted).toBe(-1);
    expect(gone[1]!.event).toBeUndefined(); // the tombstoned stream cannot be read

    const soft = await categoryEvents(client, 'soft', 2);
    expect(linkData(soft[1]!)).toMatch(/^\d+@\$\$soft-1$/);
    expect(linkMetadata(soft[1]!)).toMatchObject({ $deleted: -1, $o: 'soft-1' });
  });

  it('disable stops it (Stopped), abort too (Aborted), and enabling again catches up once', async () => {
    const { client } = await start();
    await client.enableProjection(BY_CATEGORY);
    await client.appendToStream('job-1', event('Queued'));
    await categoryEvents(client, 'job', 1);

    await client.disableProjection(BY_CATEGORY);
    expect((await client.getProjectionStatus(BY_CATEGORY)).projectionStatus).toBe(STOPPED);
    await client.appendToStream('job-2', event('Queued'));
    // Disabled means stopped once the call returns: nothing links job-2.
    expect(await readAllOf(client.readStream('$ce-job'))).toHaveLength(1);

    await client.abortProjection(BY_CATEGORY);
    expect((await client.getProjectionStatus(BY_CATEGORY)).projectionStatus).toBe('Aborted');

    await client.enableProjection(BY_CATEGORY);
    await client.enableProjection(BY_CATEGORY); // enabling a running projection changes nothing
    await client.appendToStream('job-3', event('Queued'));
    const jobs = await categoryEvents(client, 'job', 3);
    expect(jobs.map((e) => e.event!.streamId)).toEqual(['job-1', 'job-2', 'job-3']);
    expect(await linksInAll(client)).toHaveLength(3);
    const status = await client.getProjectionStatus(BY_CATEGORY);
    expect(status.projectionStatus).toBe(RUNNING);
    expect(status.effectiveName).toBe(BY_CATEGORY);
  });

  it('answers other projections as EventStoreDB 23.10 does, or UNIMPLEMENTED with a message', async () => {
    const { client } = await start();
    // A name the server does not know: UNKNOWN (the client's UnknownError) on 23.10.
    await expect(client.enableProjection('doesnt exist')).rejects.toThrow(UnknownError);
    await expect(client.disableProjection('doesnt exist')).rejects.toThrow(UnknownError);
    await expect(client.getProjectionStatus('doesnt exist')).rejects.toThrow(UnknownError);
    await expect(client.enableProjection('$streams')).rejects.toThrow(/only \$by_category/);
    await expect(client.updateProjection('p', 'fromAll().when({})')).rejects.toThrow(
      /not supported by the embedded/,
    );
    await expect(client.resetProjection(BY_CATEGORY)).rejects.toThrow(/not supported/);
  });

  it('keeps its enabled state and its links across restarts, and goes on without duplicates', async () => {
    const dir = freshDir('tally-es-bycat-');
    const first = await start(dir);
    await first.client.appendToStream('order-1', event('Placed'));
    await first.client.enableProjection(BY_CATEGORY);
    await categoryEvents(first.client, 'order', 1);
    await stop(first);

    const second = await start(dir);
    expect((await second.client.getProjectionStatus(BY_CATEGORY)).projectionStatus).toBe(RUNNING);
    await second.client.appendToStream('order-2', event('Placed'));
    const orders = await categoryEvents(second.client, 'order', 2);
    expect(orders.map((e) => e.event!.streamId)).toEqual(['order-1', 'order-2']);
    await second.client.disableProjection(BY_CATEGORY);
    await second.client.appendToStream('order-3', event('Placed'));
    await stop(second);

    const third = await start(dir);
    expect((await third.client.getProjectionStatus(BY_CATEGORY)).projectionStatus).toBe(STOPPED);
    expect(await readAllOf(third.client.readStream('$ce-order'))).toHaveLength(2);
    await third.client.enableProjection(BY_CATEGORY);
    const all = await categoryEvents(third.client, 'order', 3);
    expect(all.map((e) => e.event!.streamId)).toEqual(['order-1', 'order-2', 'order-3']);
    expect(await linksInAll(third.client)).toEqual([
      '$ce-order -> 0@order-1',
      '$ce-order -> 0@order-2',
      '$ce-order -> 0@order-3',
    ]);
  });

  it('closed in the middle of a catch-up, it resumes where its links end: none missing, none twice', async () => {
    const dir = freshDir('tally-es-bycat-');
    const first = await start(dir);
    const streams = 100;
    const perStream = 100; // 10,000 source events: several batches of the catch-up
    for (let s = 0; s < streams; s++) {
      await first.client.appendToStream(
        `bulk-${s}`,
        Array.from({ length: perStream }, (_, i) => event('Filled', { i })),
      );
    }
    await first.client.enableProjection(BY_CATEGORY);
    await stop(first); // right away: the catch-up has only begun

    const second = await start(dir);
    const links = await categoryEvents(second.client, 'bulk', streams * perStream);
    const seen = new Set(links.map(linkData));
    expect(seen.size).toBe(streams * perStream);
    expect(links.every((e) => e.event?.type === 'Filled')).toBe(true);
    const [lastLink] = await readAllOf(
      second.client.readStream('$ce-bulk', {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      }),
    );
    expect(lastLink!.event!.revision).toBe(BigInt(streams * perStream - 1));
  });
});

describe('runProjections, as EventStoreDB', () => {
  it("runs no projection unless asked ('none' by default through the API), 'system' runs $by_category only", async () => {
    const none = await startEmbeddedEventStore();
    const noneClient = EventStoreDBClient.connectionString(none.url);
    const system = await startEmbeddedEventStore({ runProjections: 'system' });
    const systemClient = EventStoreDBClient.connectionString(system.url);
    try {
      const enable = await noneClient.enableProjection(BY_CATEGORY).catch((e: unknown) => e);
      expect(String((enable as Error).message)).toMatch(/projections are not running/);
      const create = await noneClient
        .createProjection('p', "fromAll().when({$any: function (s, e) { linkTo('x', e); }})")
        .catch((e: unknown) => e);
      expect(String((create as Error).message)).toMatch(/projections are not running/);

      await systemClient.enableProjection(BY_CATEGORY);
      expect((await systemClient.getProjectionStatus(BY_CATEGORY)).status).toBe(RUNNING);
      const user = await systemClient
        .createProjection('p', "fromAll().when({$any: function (s, e) { linkTo('x', e); }})")
        .catch((e: unknown) => e);
      expect(String((user as Error).message)).toMatch(/--run-projections=all/);
    } finally {
      await noneClient.dispose();
      await systemClient.dispose();
      await none.close();
      await system.close();
    }
  });
});
