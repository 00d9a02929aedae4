import { Long, MongoClient, MongoServerError, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { RawWire } from './raw-wire.js';
import { useEmbeddedMongo } from './support.js';

const ctx = useEmbeddedMongo();

/** The error code mongod answers a command with, or 0 when it succeeds. */
async function codeOf(command: Record<string, unknown>): Promise<number> {
  try {
    await ctx.client.db('admin').command(command);
    return 0;
  } catch (error) {
    if (error instanceof MongoServerError) return error.code as number;
    throw error;
  }
}

async function currentTopologyVersion(): Promise<{ processId: ObjectId; counter: Long }> {
  // As the driver's monitor reads it: the counter stays a long (a command promotes it to a number).
  const hello = await ctx.client.db('admin').command({ hello: 1 }, { promoteLongs: false });
  return hello.topologyVersion;
}

// The checks of mongod's own test of the awaitable hello protocol (jstests/noPassthrough/
// awaitable_hello.js), for each name of the command.
describe.each(['hello', 'isMaster', 'ismaster'])(
  '%s with topologyVersion and maxAwaitTimeMS',
  (name) => {
    it('answers a current topologyVersion after maxAwaitTimeMS, and another process at once', async () => {
      const topologyVersion = await currentTopologyVersion();
      expect(topologyVersion.processId).toBeInstanceOf(ObjectId);
      expect(topologyVersion.counter).toBeInstanceOf(Long);
      expect(await codeOf({ [name]: 1, topologyVersion, maxAwaitTimeMS: 0 })).toBe(0);
      // Another process's topologyVersion is answered at once, however long the client would wait
      // (an hour here, far past the test's timeout), even with a higher counter.
      const elsewhere = { processId: new ObjectId(), counter: Long.fromNumber(7) };
      expect(
        await codeOf({ [name]: 1, topologyVersion: elsewhere, maxAwaitTimeMS: 3_600_000 }),
      ).toBe(0);
    });

    it('holds a current topologyVersion while other commands are answered', async () => {
      const topologyVersion = await currentTopologyVersion();
      // A client of its own, closed while its hello is held an hour.
      const client = new MongoClient(ctx.server.url);
      let settled = false;
      const held = client
        .db('admin')
        .command({ [name]: 1, topologyVersion, maxAwaitTimeMS: 3_600_000 })
        .finally(() => {
          settled = true;
        });
      const outcome = held.then(
        () => 'answered',
        () => 'cut off by the close',
      );
      await ctx.client.db('admin').command({ ping: 1 });
      await client.db('admin').command({ ping: 1 });
      expect(settled).toBe(false);
      await client.close(true);
      expect(await outcome).toBe('cut off by the close');
    });

    it('refuses the arguments mongod refuses, with its codes', async () => {
      const { processId, counter } = await currentTopologyVersion();
      const refused = async (fields: Record<string, unknown>) => codeOf({ [name]: 1, ...fields });
      // The same process cannot have shown a later topology than it has.
      expect(
        await refused({
          topologyVersion: { processId, counter: Long.fromNumber(counter.toNumber() + 1) },
          maxAwaitTimeMS: 0,
        }),
      ).toBe(31382);
      expect(await refused({ topologyVersion: 'topology_version_string', maxAwaitTimeMS: 0 })).toBe(
        10065,
      );
      expect(
        await refused({ topologyVersion: { processId: 'pid1', counter }, maxAwaitTimeMS: 0 }),
      ).toBe(14);
      // An int32 counter is the wrong type: mongod's is a long.
      expect(await refused({ topologyVersion: { processId, counter: 0 }, maxAwaitTimeMS: 0 })).toBe(
        14,
      );
      expect(await refused({ topologyVersion: { processId }, maxAwaitTimeMS: 0 })).toBe(40414);
      expect(await refused({ topologyVersion: { counter }, maxAwaitTimeMS: 0 })).toBe(40414);
      expect(
        await refused({
          topologyVersion: { processId, counter: Long.fromNumber(-1) },
          maxAwaitTimeMS: 0,
        }),
      ).toBe(31372);
      expect(
        await refused({
          topologyVersion: { processId, counter, randomField: 'I should cause an error' },
          maxAwaitTimeMS: 0,
        }),
      ).toBe(40415);
      // One of the two without the other.
      expect(await refused({ topologyVersion: { processId, counter } })).toBe(31368);
      expect(await refused({ maxAwaitTimeMS: 0 })).toBe(31368);
      expect(
        await refused({
          topologyVersion: { processId, counter },
          maxAwaitTimeMS: 'stringMaxAwaitTimeMS',
        }),
      ).toBe(14);
      expect(await refused({ topologyVersion: { processId, counter }, maxAwaitTimeMS: -1 })).toBe(
        51024,
      );
    });
  },
);

describe('hello with OP_MSG exhaustAllowed', () => {
  const EXHAUST_ALLOWED = 1 << 16;
  const MORE_TO_COME = 1 << 1;

  it('streams answers with moreToCome, each answering the one before', async () => {
    const { processId, counter } = await currentTopologyVersion();
    const wire = await RawWire.open(ctx.server.url);
    try {
      const hello = wire.frame(
        { hello: 1, topologyVersion: { processId, counter }, maxAwaitTimeMS: 0, $db: 'admin' },
        { flags: EXHAUST_ALLOWED },
      );
      wire.sendBytes(hello);
      const first = await wire.replyFrame();
      const second = await wire.replyFrame();
      expect(first.responseTo).toBe(hello.readInt32LE(4));
      expect(second.responseTo).toBe(first.requestId);
      for (const answer of [first, second]) {
        expect(answer.flags & MORE_TO_COME).toBe(MORE_TO_COME);
        expect(answer.body.ok).toBe(1);
        expect(answer.body.topologyVersion.processId.equals(processId)).toBe(true);
      }
    } finally {
      wire.close();
    }
  });

  it('refuses exhaust on a hello that does not wait, as mongod does (51756)', async () => {
    const wire = await RawWire.open(ctx.server.url);
    try {
      wire.sendBytes(wire.frame({ hello: 1, $db: 'admin' }, { flags: EXHAUST_ALLOWED }));
      const answer = await wire.replyFrame();
      expect(answer.body).toMatchObject({ ok: 0, code: 51756 });
      expect(answer.flags & MORE_TO_COME).toBe(0);
    } finally {
      wire.close();
    }
  });
});
