import {
  BACKWARDS,
  binaryEvent,
  END,
  FORWARDS,
  START,
  StreamNotFoundError,
} from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rawRead, rawStreamsClient, sharedPb, streamReadRequest, streamsPb } from './raw-grpc.js';
import { event, freshStream, readAllOf, sharedClient } from './support.js';

const client = sharedClient();
afterAll(() => client.dispose());

describe('reading a stream', () => {
  const stream = freshStream('read');
  beforeAll(async () => {
    await client.appendToStream(
      stream,
      Array.from({ length: 10 }, (_, i) => event('Counted', { i })),
    );
  });

  const revisions = (events: Awaited<ReturnType<typeof readAllOf>>) =>
    events.map((e) => Number(e.event!.revision));

  it('reads forwards from the start, inclusive of a given revision, up to maxCount', async () => {
    expect(revisions(await readAllOf(client.readStream(stream)))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(revisions(await readAllOf(client.readStream(stream, { fromRevision: 7n })))).toEqual([
      7, 8, 9,
    ]);
    expect(
      revisions(await readAllOf(client.readStream(stream, { fromRevision: 2n, maxCount: 3 }))),
    ).toEqual([2, 3, 4]);
  });

  it('reads backwards from the end or from a revision', async () => {
    expect(
      revisions(
        await readAllOf(
          client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 3 }),
        ),
      ),
    ).toEqual([9, 8, 7]);
    expect(
      revisions(
        await readAllOf(client.readStream(stream, { direction: BACKWARDS, fromRevision: 2n })),
      ),
    ).toEqual([2, 1, 0]);
  });

  it('returns nothing past the end, and accepts resolveLinkTos', async () => {
    expect(await readAllOf(client.readStream(stream, { fromRevision: 50n }))).toEqual([]);
    expect(
      await readAllOf(client.readStream(stream, { direction: FORWARDS, fromRevision: END })),
    ).toEqual([]);
    expect(
      revisions(await readAllOf(client.readStream(stream, { resolveLinkTos: true, maxCount: 2 }))),
    ).toEqual([0, 1]);
  });

  it('resolves $> link events to their target when resolveLinkTos is set', async () => {
    const target = freshStream('target');
    const links = freshStream('links');
    await client.appendToStream(target, [event('A'), event('B'), event('C')]);
    await client.appendToStream(links, [
      binaryEvent({ type: '$>', data: Buffer.from(`2@${target}`) }),
      binaryEvent({ type: '$>', data: Buffer.from(`7@${target}`) }),
    ]);
    const [direct] = await readAllOf(client.readStream(target, { fromRevision: 2n, maxCount: 1 }));
    const [resolved, dangling] = await readAllOf(
      client.readStream(links, { resolveLinkTos: true }),
    );
    expect(resolved!.event).toEqual(direct!.event);
    expect(resolved!.link).toMatchObject({ type: '$>', streamId: links, revision: 0n });
    // A link whose target does not exist comes back as the link alone.
    expect(dangling!.event).toBeUndefined();
    expect(dangling!.link).toMatchObject({ type: '$>', revision: 1n });
    // Without resolveLinkTos the link is an ordinary event.
    const [plain] = await readAllOf(client.readStream(links, { maxCount: 1 }));
    expect(plain!.event).toMatchObject({ type: '$>', streamId: links });
    expect(plain!.link).toBeUndefined();
  });

  it('gives back the data, metadata and ids that were appended', async () => {
    const other = freshStream('roundtrip');
    const id = crypto.randomUUID();
    await client.appendToStream(other, {
      ...event('Opened', { owner: 'ada', amount: '100.50' }, id),
      metadata: { correlationId: 'c-1' },
    });
    const [read] = await readAllOf(client.readStream(other));
    expect(read!.event).toMatchObject({
      id,
      streamId: other,
      type: 'Opened',
      revision: 0n,
      isJson: true,
      data: { owner: 'ada', amount: '100.50' },
      metadata: { correlationId: 'c-1' },
    });
  });

  it('sends event ids in structured form when a reader asks for it', async () => {
    const other = freshStream('structured');
    const id = crypto.randomUUID();
    await client.appendToStream(other, event('Opened', {}, id));
    const raw = rawStreamsClient(inject('eventStoreUrl'));
    const request = streamReadRequest(other, (options) => {
      const uuid = new streamsPb.ReadReq.Options.UUIDOption();
      uuid.setStructured(new sharedPb.Empty());
      options.setUuidOption(uuid);
    });
    const { responses, status } = await rawRead(raw, request);
    raw.close();
    expect(status.code).toBe(0);
    const structured = responses[0].getEvent().getEvent().getId().getStructured();
    const bytes = Buffer.alloc(16);
    bytes.writeBigInt64BE(BigInt(structured.getMostSignificantBits()), 0);
    bytes.writeBigInt64BE(BigInt(structured.getLeastSignificantBits()), 8);
    expect(bytes.toString('hex')).toBe(id.replaceAll('-', ''));
  });

  it('fails with StreamNotFoundError for a stream that was never written', async () => {
    const error = await readAllOf(client.readStream(freshStream('missing'))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StreamNotFoundError);
  });
});

describe('reading $all', () => {
  const stream = freshStream('readall');
  let appended: Awaited<ReturnType<typeof client.appendToStream>>[] = [];
  beforeAll(async () => {
    appended = [];
    for (let i = 0; i < 5; i++)
      appended.push(await client.appendToStream(stream, event('Step', { i })));
  });

  it('reads forwards from a position, inclusive, in strictly increasing position order', async () => {
    const from = appended[1]!.position!;
    const events = await readAllOf(client.readAll({ fromPosition: from, maxCount: 3 }));
    expect(events[0]!.event!.position).toEqual(from);
    const mine = events
      .filter((e) => e.event?.streamId === stream)
      .map((e) => Number(e.event!.revision));
    expect(mine[0]).toBe(1);
    const all = await readAllOf(client.readAll({ fromPosition: START, maxCount: 1000 }));
    for (let i = 1; i < all.length; i++) {
      const a = all[i - 1]!.event!.position!;
      const b = all[i]!.event!.position!;
      expect(b.commit > a.commit || (b.commit === a.commit && b.prepare > a.prepare)).toBe(true);
    }
    expect(all[0]!.event!.position!.commit > 0n).toBe(true);
  });

  it('reads backwards from the end, newest first', async () => {
    await client.appendToStream(stream, event('Last'));
    // Other test files append concurrently: keep to our stream.
    const [newest] = (
      await readAllOf(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 5000 }))
    ).filter((e) => e.event?.streamId === stream);
    expect(newest!.event).toMatchObject({ streamId: stream, type: 'Last' });
  });

  it('reads backwards from a position: the events before it', async () => {
    const at = appended[3]!.position!;
    const events = (
      await readAllOf(client.readAll({ direction: BACKWARDS, fromPosition: at, maxCount: 5000 }))
    ).filter((e) => e.event?.streamId === stream);
    expect(events.map((e) => Number(e.event!.revision))).toEqual([2, 1, 0]);
  });
});
