import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { type Long, MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { fromLong } from '../../src/read/position.js';
import { ThreadedProjector } from '../../src/read/projector-thread/threaded-projector.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { ACCOUNT } from '../support/operations.js';
import { graphql, startTestTally } from '../support/test-tally.js';

const mongo = await new MongoClient(inject('mongoUrl')).connect();
const started: Tally[] = [];
afterAll(async () => {
  for (const tally of started) await tally.close();
  await mongo.close();
});

async function threadedTally(overrides: Parameters<typeof startTestTally>[0] = {}) {
  const tally = await startTestTally({ projectorThread: true, ...overrides });
  started.push(tally);
  const projector = tally.projector;
  if (!(projector instanceof ThreadedProjector)) throw new Error('expected a threaded projector');
  return { tally, projector };
}

const balanceAt = async (tally: Tally, id: string, consistentWith: string) =>
  (await graphql(tally, ACCOUNT, { id, consistentWith })).data?.account?.balance.amount;

describe('the read-model projector on its own thread', () => {
  it('keeps reads-your-writes: a query consistent with a deposit sees it', async () => {
    const { tally, projector } = await threadedTally();
    expect(projector.thread?.threadId).toBeGreaterThan(0);
    const { accountId } = await openAccount(tally, { initialDeposit: '10.00' });
    let position = '';
    for (let i = 0; i < 5; i++) position = (await deposit(tally, accountId, '1.25')).position;
    expect(await balanceAt(tally, accountId, position)).toBe('16.25');
    // The main thread's copy of the progress was relayed up to the deposit.
    expect(tally.projector.progress.reached).toBeGreaterThanOrEqual(BigInt(position));
  });

  it('saves its checkpoint when stopped, so the next start resumes where it was', async () => {
    const mongoDb = `test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const tally = await startTestTally({ projectorThread: true, mongoDb });
    const { accountId } = await openAccount(tally);
    const { position } = await deposit(tally, accountId, '2.00');
    expect(await tally.projector.progress.waitFor(BigInt(position), 10_000)).toBe(true);
    await tally.close();
    const checkpoint = await mongo
      .db(mongoDb)
      .collection<{ _id: string; commit: Long }>('checkpoints')
      .findOne({ _id: 'projection:accounts' });
    expect(fromLong(checkpoint!.commit)).toBeGreaterThanOrEqual(BigInt(position));
  });

  it('starts a new thread when its thread dies, which resumes from the stored checkpoint', async () => {
    const { tally, projector } = await threadedTally();
    const { accountId } = await openAccount(tally, { initialDeposit: '1.00' });
    const first = projector.thread!;
    await Promise.all([once(first, 'exit'), first.terminate()]);
    const { position } = await deposit(tally, accountId, '4.00');
    expect(await balanceAt(tally, accountId, position)).toBe('5.00');
    expect(projector.thread).toBeDefined();
    expect(projector.thread).not.toBe(first);
    // Operators see it: the error is logged, and counted.
    const restarts = await tally.metrics.registry
      .getSingleMetric('tally_projector_thread_restarts_total')
      ?.get();
    expect(restarts?.values[0]?.value).toBe(1);
  });

  it("fences its writes with the leader's token", async () => {
    const tally = await startTestTally({
      projectorThread: true,
      leadership: { holder: `test-${randomUUID()}` },
    });
    started.push(tally);
    const { accountId } = await openAccount(tally);
    const { position } = await deposit(tally, accountId, '3.00');
    // Elected meanwhile (alone, at once): the query waits for the leader's projector.
    expect(await balanceAt(tally, accountId, position)).toBe('3.00');
    const token = tally.leadership?.token;
    expect(token).toBeGreaterThan(0);
    expect(tally.projector).toBeInstanceOf(ThreadedProjector);
    expect(await tally.models.accounts.findOne({ _id: accountId })).toMatchObject({
      _fence: token,
    });
  });
});
