import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { FencedCheckpointStore, fencedProjection } from '../../src/leadership/fencing.js';
import { MongoLease } from '../../src/leadership/lease.js';
import { accountsProjection } from '../../src/read/projections/accounts.js';
import type { Projection } from '../../src/read/projections/index.js';
import type { RecordedEvent } from '../../src/read/recorded-event.js';

const mongo = await new MongoClient(inject('mongoUrl')).connect();
afterAll(() => mongo.close());
const freshDb = () => mongo.db(`test_${randomUUID().replaceAll('-', '').slice(0, 16)}`);

/** A clock the test moves by hand: a lease expires without the test waiting for it. */
function manualClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

function accountEvent(
  accountId: string,
  revision: number,
  type: string,
  data: object,
): RecordedEvent {
  const commit = BigInt(1000 + revision * 10);
  return {
    type,
    data,
    metadata: { occurredAt: '2026-01-01T00:00:00.000Z' } as never,
    streamId: `account-${accountId}`,
    revision,
    position: { commit, prepare: commit },
    created: new Date('2026-01-01T00:00:00Z'),
  };
}

describe('the consumers lease and its fencing token', () => {
  it('one holder at a time; an expired lease passes to the next with a higher token', async () => {
    const db = freshDb();
    const clock = manualClock();
    const first = new MongoLease(db, 'consumers', 'first', 5000, clock.now);
    const second = new MongoLease(db, 'consumers', 'second', 5000, clock.now);
    const term1 = await first.tryAcquire();
    expect(term1?.token).toBe(1);
    expect(await second.tryAcquire()).toBeUndefined();
    // Renewed, it stays; not renewed past its time to live, the other instance takes it.
    clock.advance(4000);
    expect(await first.renew(term1!)).toBeDefined();
    clock.advance(4000);
    expect(await second.tryAcquire()).toBeUndefined();
    clock.advance(2000);
    const term2 = await second.tryAcquire();
    expect(term2?.token).toBe(2);
    // The old holder learns it lost the lease at its next renewal.
    expect(await first.renew(term1!)).toBeUndefined();
  });

  it('a deposed leader writes nothing: its projection updates match nothing and its checkpoint save fails', async () => {
    const db = freshDb();
    const accounts = db.collection('accounts');
    const checkpoints = db.collection('checkpoints');
    const id = randomUUID();
    const project = async (projection: Projection, event: RecordedEvent) =>
      accounts.bulkWrite(projection.project(event) as never, { ordered: true });
    const old = fencedProjection(accountsProjection as unknown as Projection, 1);
    const current = fencedProjection(accountsProjection as unknown as Projection, 2);

    await project(
      old,
      accountEvent(id, 0, 'AccountOpened', { ownerId: randomUUID(), currency: 'USD' }),
    );
    await new FencedCheckpointStore(checkpoints as never, 1).save(
      ['projection:accounts'],
      { commit: 1000n, prepare: 1000n },
      new Date(),
    );
    // The new leader (token 2) applies a deposit and saves its checkpoint.
    await project(
      current,
      accountEvent(id, 1, 'MoneyDeposited', { amount: 500, balanceAfter: 500 }),
    );
    await new FencedCheckpointStore(checkpoints as never, 2).save(
      ['projection:accounts'],
      { commit: 1010n, prepare: 1010n },
      new Date(),
    );

    // The old leader, still running somewhere, applies a later event: nothing lands.
    await project(old, accountEvent(id, 2, 'MoneyWithdrawn', { amount: 100, balanceAfter: 400 }));
    await expect(
      new FencedCheckpointStore(checkpoints as never, 1).save(
        ['projection:accounts'],
        { commit: 1020n, prepare: 1020n },
        new Date(),
      ),
    ).rejects.toThrow(/duplicate key/i);
    const account = await accounts.findOne({ _id: id as never });
    expect(account).toMatchObject({ balance: 500, revision: 1, _fence: 2 });
    const checkpoint = await checkpoints.findOne({ _id: 'projection:accounts' as never });
    expect(checkpoint?.commit.toString()).toBe('1010');

    // The current leader applies the same event: it lands.
    await project(
      current,
      accountEvent(id, 2, 'MoneyWithdrawn', { amount: 100, balanceAfter: 400 }),
    );
    expect(await accounts.findOne({ _id: id as never })).toMatchObject({
      balance: 400,
      revision: 2,
    });
  });
});
