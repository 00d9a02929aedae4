import { type Document, MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { RawWire } from './raw-wire.js';
import { freshName, useEmbeddedMongo } from './support.js';

describe('embedded mongo: bad input gets MongoDB errors and harms nobody else', () => {
  const ctx = useEmbeddedMongo();
  const opened: RawWire[] = [];
  const raw = async () => {
    const wire = await RawWire.open(ctx.server.url);
    opened.push(wire);
    return wire;
  };
  afterEach(async () => {
    for (const wire of opened.splice(0)) wire.close();
    // Every test ends by proving the server still serves the official driver.
    expect((await ctx.client.db('admin').command({ ping: 1 })).ok).toBe(1);
  });

  it('answers malformed BSON with InvalidBSON and keeps the connection usable', async () => {
    const wire = await raw();
    const frame = wire.frame({ ping: 1, $db: 'admin' });
    frame.writeInt32LE(9999, 21); // the body claims to be longer than the message
    const reply = wire.reply();
    wire.sendBytes(frame);
    expect(await reply).toMatchObject({ ok: 0, code: 22, codeName: 'InvalidBSON' });
    expect(await wire.command({ ping: 1, $db: 'admin' })).toMatchObject({ ok: 1 });
  });

  it('answers an unknown opcode with an error instead of hanging', async () => {
    const wire = await raw();
    const reply = await wire.command({ ping: 1, $db: 'admin' }, { opCode: 2002 });
    expect(reply.ok).toBe(0);
    expect(reply.errmsg).toMatch(/opcode/i);
  });

  it('drops a connection that announces a message over 48 MB, and only that one', async () => {
    const wire = await raw();
    const header = Buffer.alloc(16);
    header.writeInt32LE(48_000_001, 0);
    wire.sendBytes(header);
    await wire.closed;
    const other = await raw();
    expect(await other.command({ ping: 1, $db: 'admin' })).toMatchObject({ ok: 1 });
  });

  it('survives a truncated message from a client that then disconnects', async () => {
    const wire = await raw();
    wire.sendBytes(wire.frame({ ping: 1, $db: 'admin' }).subarray(0, 30));
    wire.close();
    const other = await raw();
    expect(await other.command({ ping: 1, $db: 'admin' })).toMatchObject({ ok: 1 });
  });

  it('verifies the OP_MSG checksum when the flag is set', async () => {
    const wire = await raw();
    expect(await wire.command({ ping: 1, $db: 'admin' }, { checksum: true })).toMatchObject({
      ok: 1,
    });
    const frame = wire.frame({ ping: 1, $db: 'admin' }, { checksum: true });
    frame.writeUInt32LE((frame.readUInt32LE(frame.length - 4) + 1) >>> 0, frame.length - 4);
    const reply = wire.reply();
    wire.sendBytes(frame);
    expect((await reply).ok).toBe(0);
  });

  it('sends no reply for moreToCome, but applies the write', async () => {
    const wire = await raw();
    const coll = freshName();
    wire.sendBytes(wire.frame({ insert: coll, documents: [{ _id: 1 }], $db: 'raw' }, { flags: 2 }));
    // The next reply on this connection answers the count, not the fire-and-forget insert.
    expect(await wire.command({ count: coll, $db: 'raw' })).toMatchObject({ n: 1, ok: 1 });
  });

  it('rejects invalid operators and $-prefixed field names with mongod codes', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed updates
    const c = ctx.client.db(freshName('db')).collection<any>(freshName());
    await c.insertOne({ _id: 'a', n: 1 } as Document);
    await expect(c.findOne({ n: { $bogus: 1 } })).rejects.toMatchObject({
      code: 2,
      message: 'unknown operator: $bogus',
    });
    await expect(c.updateOne({ _id: 'a' }, { $bogus: { n: 1 } } as Document)).rejects.toMatchObject(
      { code: 9, message: expect.stringContaining('Unknown modifier: $bogus') },
    );
    await expect(c.updateOne({ _id: 'a' }, { $set: { $x: 1 } })).rejects.toMatchObject({
      code: 52,
    });
    await expect(c.insertOne({ _id: { $x: 1 } } as Document)).rejects.toMatchObject({ code: 52 });
    // As in MongoDB 5+, an upsert that inserts may store `$` fields, and inserts may too.
    await c.updateOne({ _id: 'up' }, { $set: { $price: 5 } }, { upsert: true });
    await c.insertOne({ _id: 'ins', $qty: 1, nested: { $inc: true } });
    expect(await c.findOne({ _id: 'up' })).toEqual({ _id: 'up', $price: 5 });
    await expect(c.updateOne({ _id: 'a' }, { $set: { _id: 'b' } })).rejects.toMatchObject({
      code: 66,
    });
    await expect(
      c.updateOne({ _id: 'a' }, { $set: { n: 1 }, $inc: { n: 1 } }),
    ).rejects.toMatchObject({ code: 40 });
    await expect(c.updateOne({ _id: 'a' }, { $inc: { n: 'x' } } as Document)).rejects.toMatchObject(
      { code: 14 },
    );
    expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 1 });
    await expect(c.aggregate([{ $bogus: {} }]).toArray()).rejects.toMatchObject({ code: 40324 });
    await expect(c.aggregate([{ $project: { x: { $bogus: 1 } } }]).toArray()).rejects.toMatchObject(
      { code: 168 },
    );
    await expect(c.find({}, { projection: { n: 1, x: 0 } }).toArray()).rejects.toMatchObject({
      code: 31254,
    });
  });

  it('refuses documents over 16 MB', async () => {
    const wire = await raw();
    const coll = freshName();
    const big = { _id: 1, blob: 'x'.repeat(16 * 1024 * 1024) };
    const reply = await wire.command(
      { insert: coll, $db: 'raw' },
      { sequences: { documents: [big] } },
    );
    expect(reply.writeErrors?.[0]).toMatchObject({ index: 0, code: 2 });
    expect(reply.writeErrors?.[0]?.errmsg).toMatch(/object to insert too large/);
    const huge = { _id: 2, blob: 'x'.repeat(17 * 1024 * 1024) };
    expect(
      await wire.command({ insert: coll, $db: 'raw' }, { sequences: { documents: [huge] } }),
    ).toMatchObject({
      ok: 0,
      code: 10334,
      codeName: 'BSONObjectTooLarge',
    });
  });

  it('applies a retried write (same lsid and txnNumber) once', async () => {
    const wire = await raw();
    const coll = freshName();
    const lsid = { id: new MongoClient('mongodb://x').startSession().id!.id };
    const write = {
      update: coll,
      updates: [{ q: { _id: 'acc' }, u: { $inc: { balance: 10 } }, upsert: true }],
      lsid,
      txnNumber: 1n,
      $db: 'raw',
    };
    const first = await wire.command(write);
    const retry = await wire.command(write);
    expect(retry.n).toBe(first.n);
    expect(await wire.command({ find: coll, filter: {}, $db: 'raw' })).toMatchObject({
      cursor: { firstBatch: [{ _id: 'acc', balance: 10 }] },
    });
    await wire.command({ ...write, txnNumber: 2n });
    expect(await wire.command({ find: coll, filter: {}, $db: 'raw' })).toMatchObject({
      cursor: { firstBatch: [{ _id: 'acc', balance: 20 }] },
    });
  });

  it('refuses a write older than its session’s newest (TransactionTooOld) and applies nothing', async () => {
    const wire = await raw();
    const coll = freshName();
    const lsid = { id: new MongoClient('mongodb://x').startSession().id!.id };
    const write = (txnNumber: bigint) => ({
      update: coll,
      updates: [{ q: { _id: 'acc' }, u: { $inc: { balance: 10 } }, upsert: true }],
      lsid,
      txnNumber,
      $db: 'raw',
    });
    await wire.command(write(5n));
    await wire.command(write(6n));
    expect(await wire.command(write(5n))).toMatchObject({
      ok: 0,
      code: 225,
      codeName: 'TransactionTooOld',
      errmsg: expect.stringMatching(
        /^Retryable write with txnNumber 5 is prohibited on session \{ id: UUID\("[0-9a-f-]{36}"\) \} because a newer retryable write with txnNumber 6 has already started on this session\.$/,
      ),
    });
    // The newest write is still answered from its first run; other sessions are unaffected.
    expect(await wire.command(write(6n))).toMatchObject({ ok: 1, n: 1 });
    const other = { id: new MongoClient('mongodb://x').startSession().id!.id };
    expect(await wire.command({ ...write(1n), lsid: other })).toMatchObject({ ok: 1, n: 1 });
    expect(await wire.command({ find: coll, filter: {}, $db: 'raw' })).toMatchObject({
      cursor: { firstBatch: [{ _id: 'acc', balance: 30 }] },
    });
  });

  it('rejects transactions with a clear error', async () => {
    const session = ctx.client.startSession();
    const c = ctx.client.db(freshName('db')).collection(freshName());
    try {
      const error = await session
        .withTransaction(async () => {
          await c.insertOne({ a: 1 }, { session });
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 263, codeName: 'OperationNotSupportedInTransaction' });
      expect((error as Error).message).toMatch(/Transactions are not supported/);
    } finally {
      await session.endSession();
    }
    expect(await c.countDocuments()).toBe(0);
  });
});
