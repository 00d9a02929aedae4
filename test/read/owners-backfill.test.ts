import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { fromLong } from '../../src/read/position.js';
import { RebuildRequests } from '../../src/rebuild/rebuild-requests.js';
import type { SwitchingProjector } from '../../src/rebuild/switching-projector.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { ACCOUNT } from '../support/operations.js';
import { endOfAll } from '../support/settlement.js';
import { graphql, startTestTally } from '../support/test-tally.js';

const OWNER = `query ($id: ID!, $consistentWith: Position) {
  owner(id: $id, consistentWith: $consistentWith) { accountCount transactionCount totals { amount currency } }
}`;

let tally: Tally | undefined;
afterAll(async () => {
  await tally?.close();
});

describe('a read model new to a running ledger', () => {
  it('backfills from position 0 with its own checkpoint while the others go on from theirs', async () => {
    // A ledger projected by a Tally from before the owners read model.
    const ownerId = randomUUID();
    tally = await startTestTally();
    const database = tally.models.accounts.dbName;
    const { accountId } = await openAccount(tally, { ownerId, initialDeposit: '40.00' });
    await deposit(tally, accountId, '2.50');
    await tally.projector.progress.waitFor(await endOfAll(tally), 10_000);
    await tally.close();
    await tally.models.checkpoints.db.client.connect();
    await tally.models.owners.drop();
    await tally.models.checkpoints.deleteOne({ _id: 'projection:owners' });
    const accountsAt = fromLong(
      (await tally.models.checkpoints.findOne({ _id: 'projection:accounts' }))!.commit,
    );
    await tally.models.checkpoints.db.client.close();

    // The new version starts: the others resume where they were, not from 0.
    // On the test's own thread: the test waits on the projector's switching itself.
    tally = await startTestTally({ mongoDb: database, projectorThread: false });
    expect(tally.projector.progress.reached).toBeGreaterThanOrEqual(accountsAt);
    const during = await deposit(tally, accountId, '1.00');
    const read = await graphql(tally, ACCOUNT, { id: accountId, consistentWith: during.position });
    expect(read.data?.account.balance.amount).toBe('43.50');

    await (tally.projector as SwitchingProjector).switching.whenLive('owners');
    const backfill = await new RebuildRequests(tally.models.checkpoints.db).get('owners');
    expect(backfill).toMatchObject({ state: 'switched', backfill: true });
    expect(await tally.models.checkpoints.findOne({ _id: 'projection:owners' })).not.toBeNull();
    const after = await deposit(tally, accountId, '0.50');
    const owner = await graphql(tally, OWNER, { id: ownerId, consistentWith: after.position });
    expect(owner.errors).toBeUndefined();
    expect(owner.data?.owner).toEqual({
      accountCount: 1,
      transactionCount: 4,
      totals: [{ amount: '44.00', currency: 'USD' }],
    });
  });
});
