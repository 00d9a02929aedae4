import { afterAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { fromLong } from '../../src/read/position.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { ACCOUNT } from '../support/operations.js';
import { checkpointPasses } from '../support/process-manager-checkpoint.js';
import { graphql, startTestTally } from '../support/test-tally.js';

let tally: Tally | undefined;
afterAll(async () => {
  await tally?.close();
});

/**
 * The projector saves its checkpoint at most once a second, in the background, so the save's
 * round trip never holds up the events behind it. It must still be saved: a restart resumes
 * from it, and a checkpoint that fell behind would make every restart re-apply more.
 */
describe('the read-model projector’s checkpoint under steady writes', () => {
  it('is stored up to the last write, and a restart resumes from it', async () => {
    tally = await startTestTally({ projectorThread: false });
    const database = tally.models.accounts.dbName;
    const { accountId } = await openAccount(tally, { initialDeposit: '1.00' });
    // Writes for longer than the save interval, so saves happen while batches are applied.
    let last: { position: string } | undefined;
    let cents = 100;
    for (const until = performance.now() + 1500; performance.now() < until; cents++) {
      last = await deposit(tally, accountId, '0.01');
    }
    const position = BigInt(last!.position);
    await checkpointPasses(tally.models.checkpoints, 'projection:accounts', position);
    await tally.close();

    tally = await startTestTally({ mongoDb: database, projectorThread: false });
    expect(tally.projector.progress.reached).toBeGreaterThanOrEqual(position);
    const stored = await tally.models.checkpoints.findOne({ _id: 'projection:accounts' });
    expect(fromLong(stored!.commit)).toBeGreaterThanOrEqual(position);
    const read = await graphql(tally, ACCOUNT, { id: accountId, consistentWith: last!.position });
    expect(read.data?.account.balance.amount).toBe((cents / 100).toFixed(2));
  });
});
