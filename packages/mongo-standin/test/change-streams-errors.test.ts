import type { CommandStartedEvent, Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

/**
 * The change-stream errors of the specifications' unified tests (change-streams-errors,
 * change-streams "Test server error on projecting out _id"), answered as mongod 7.0 does, and
 * the driver's implicit session back in its pool afterwards: the next command reuses the
 * stream's lsid (the unified runner's assertSameLsidOnLastTwoCommands).
 */
describe('embedded mongo: change stream errors', () => {
  const ctx = useEmbeddedMongo({ monitorCommands: true });
  const started: CommandStartedEvent[] = [];
  const onStarted = (event: CommandStartedEvent) => started.push(event);
  beforeAll(() => {
    ctx.client.on('commandStarted', onStarted);
  });
  afterAll(() => {
    ctx.client.off('commandStarted', onStarted);
  });

  const lsidOf = (name: string) => {
    const event = started.findLast((e) => e.commandName === name);
    const lsid = event?.command.lsid as { id: { buffer: Uint8Array } } | undefined;
    return lsid ? Buffer.from(lsid.id.buffer).toString('hex') : undefined;
  };

  /** The stream's session went back to the pool: the next operation runs on it. */
  async function expectSessionReleased(coll: ReturnType<typeof collection>) {
    const streamLsid = lsidOf('aggregate');
    expect(streamLsid).toBeDefined();
    await coll.insertOne({ after: true });
    expect(lsidOf('insert')).toBe(streamLsid);
  }

  const collection = () => ctx.client.db(freshName('db')).collection<Document>(freshName());

  it('refuses an unknown stage with 40324 and a stage not allowed with 20', async () => {
    const coll = collection();
    const unknown = coll.watch([{ $unsupported: 'foo' }]);
    await expect(unknown.tryNext()).rejects.toMatchObject({
      code: 40324,
      message: "Unrecognized pipeline stage name: '$unsupported'",
    });
    await unknown.close();
    await expectSessionReleased(coll);
    const group = coll.watch([{ $group: { _id: null } }]);
    await expect(group.tryNext()).rejects.toMatchObject({
      code: 20,
      codeName: 'IllegalOperation',
      message: '$group is not permitted in a $changeStream pipeline',
    });
    await group.close();
    await expectSessionReleased(coll);
  });

  it('refuses $changeStream after the first stage with 40602', async () => {
    const coll = collection();
    const stream = coll.watch([{ $changeStream: {} }]);
    await expect(stream.tryNext()).rejects.toMatchObject({ code: 40602 });
    await stream.close();
    await expectSessionReleased(coll);
  });

  it('fails the getMore with 280 NonResumableChangeStreamError when _id is projected out', async () => {
    const coll = collection();
    const stream = coll.watch([{ $project: { _id: 0 } }], { maxAwaitTimeMS: 50 });
    await stream.tryNext();
    const cursorId = started.findLast((e) => e.commandName === 'getMore')?.command.getMore;
    await coll.insertOne({ z: 3 });
    const error = await stream.next().then(
      () => undefined,
      (e: unknown) => e as { code: number; codeName: string; hasErrorLabel(l: string): boolean },
    );
    expect(error).toMatchObject({ code: 280, codeName: 'ChangeStreamFatalError' });
    expect(error?.hasErrorLabel('NonResumableChangeStreamError')).toBe(true);
    expect(stream.closed).toBe(true);
    // mongod destroyed the cursor with the failed getMore: killing it again finds nothing.
    const reply = await coll.db.command({
      killCursors: coll.collectionName,
      cursors: [cursorId],
    });
    expect(reply.cursorsNotFound).toHaveLength(1);
    await expectSessionReleased(coll);
  });

  it('labels ChangeStreamHistoryLost as not resumable and reports an invalid resume token', async () => {
    const coll = collection();
    const stream = coll.watch([], { resumeAfter: { _data: 'not-a-token' } });
    await expect(stream.tryNext()).rejects.toMatchObject({ code: 260 });
    await stream.close();
    await expectSessionReleased(coll);
  });
});
