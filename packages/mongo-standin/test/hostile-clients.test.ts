import { once } from 'node:events';
import { connect } from 'node:net';
import { serialize } from 'bson';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { type EmbeddedMongo, startEmbeddedMongo } from '../src/index.js';
import { FrameReader } from '../src/wire/frame-reader.js';
import { RawWire } from './raw-wire.js';
import { freshName } from './support.js';

const servers: EmbeddedMongo[] = [];
const wires: RawWire[] = [];
afterAll(async () => {
  for (const wire of wires) wire.close();
  for (const server of servers) await server.close();
});

async function server(options: Parameters<typeof startEmbeddedMongo>[0] = {}) {
  const started = await startEmbeddedMongo({ port: 0, ...options });
  servers.push(started);
  return started;
}

async function raw(url: string): Promise<RawWire> {
  const wire = await RawWire.open(url);
  wires.push(wire);
  return wire;
}

describe('embedded mongo: clients that trickle, flood or hoard cannot stall the server', () => {
  it('answers a large message trickled in 1 KB writes, and serves others meanwhile', async () => {
    const mongo = await server();
    const { hostname, port } = new URL(mongo.url);
    const socket = connect(Number(port), hostname);
    socket.setNoDelay(true);
    await once(socket, 'connect');
    const wire = await raw(mongo.url);
    const coll = freshName();
    const body = serialize({
      insert: coll,
      documents: [{ _id: 1, blob: 'x'.repeat(4 * 1024 * 1024) }],
      $db: 'trickle',
    });
    const frame = Buffer.alloc(21 + body.length);
    frame.writeInt32LE(frame.length, 0);
    frame.writeInt32LE(1, 4);
    frame.writeInt32LE(2013, 12);
    frame.set(body, 21);
    const reply = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    for (let offset = 0; offset < frame.length; offset += 1024) {
      const written = socket.write(frame.subarray(offset, offset + 1024));
      if (!written) await once(socket, 'drain');
      // Another connection is answered while the message is still arriving.
      if (offset === 1024 * 1024) {
        expect(await wire.command({ ping: 1, $db: 'admin' })).toMatchObject({ ok: 1 });
      }
    }
    const answer = await reply;
    expect(answer.length).toBeGreaterThan(21);
    const client = new MongoClient(mongo.url);
    try {
      const doc = await client.db('trickle').collection(coll).findOne({});
      expect(doc?.blob).toHaveLength(4 * 1024 * 1024);
    } finally {
      await client.close();
      socket.destroy();
    }
  });

  it('cuts any byte stream into the same messages, however it is chunked', () => {
    const frames = [20, 16, 1000, 17].map((length, i) => {
      const frame = Buffer.alloc(length, i + 1);
      frame.writeInt32LE(length, 0);
      return frame;
    });
    const stream = Buffer.concat(frames);
    for (const size of [1, 3, 7, 64, stream.length]) {
      const reader = new FrameReader();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size)
        out.push(...reader.push(stream.subarray(i, i + size)));
      expect(out).toEqual(frames);
      expect(reader.buffered).toBe(0);
    }
  });

  it('closes connections over the cap at once and keeps serving the ones it has', async () => {
    const mongo = await server({ maxConnections: 2 });
    const first = await raw(mongo.url);
    const second = await raw(mongo.url);
    expect(await first.command({ ping: 1, $db: 'admin' })).toMatchObject({ ok: 1 });
    expect(await second.command({ ping: 1, $db: 'admin' })).toMatchObject({ ok: 1 });
    const third = await raw(mongo.url);
    await third.closed; // refused: closed by the server without an answer
    expect(await first.command({ ping: 1, $db: 'admin' })).toMatchObject({ ok: 1 });
  });

  it('drops a connection whose message exceeds its buffer cap, and only that one', async () => {
    const mongo = await server({ maxConnectionBufferBytes: 1024 * 1024 });
    const hoarder = await raw(mongo.url);
    const other = await raw(mongo.url);
    const header = Buffer.alloc(16);
    header.writeInt32LE(2 * 1024 * 1024, 0);
    hoarder.sendBytes(header);
    await hoarder.closed;
    const reply = await other.command({
      insert: freshName(),
      documents: [{ _id: 1, blob: 'x'.repeat(512 * 1024) }],
      $db: 'capped',
    });
    expect(reply).toMatchObject({ ok: 1, n: 1 });
  });

  it('matches a catastrophic-backtracking $regex in linear time, in every form a query takes', async () => {
    const mongo = await server();
    const client = new MongoClient(mongo.url);
    try {
      const c = client.db('regex').collection<{ _id: number; s: string }>(freshName());
      await c.insertMany([
        { _id: 1, s: `${'a'.repeat(30)}b` },
        { _id: 2, s: 'aaaa' },
        { _id: 3, s: 'PING' },
      ]);
      const evil = '^(a+)+$';
      const ids = async (filter: object) =>
        (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
      expect(await ids({ s: new RegExp(evil) })).toEqual([2]);
      expect(await ids({ s: { $regex: evil } })).toEqual([2]);
      expect(await ids({ s: { $regex: evil, $options: 'i' } })).toEqual([2]);
      expect(await ids({ s: { $in: [new RegExp(evil), 'PING'] } })).toEqual([2, 3]);
      expect(await ids({ s: { $not: new RegExp(evil) } })).toEqual([1, 3]);
      expect(await ids({ s: /^ping$/i })).toEqual([3]);
      const matched = await c.aggregate([{ $match: { s: { $regex: evil } } }]).toArray();
      expect(matched.map((d) => d._id)).toEqual([2]);
      // Backreferences cannot be matched in bounded time: refused as an invalid regex.
      await expect(c.find({ s: /(a)\1/ }).toArray()).rejects.toMatchObject({ code: 51091 });
    } finally {
      await client.close();
    }
  });
});
