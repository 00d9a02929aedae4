import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { snapshotStreamOf } from '../../src/write/snapshots.js';
import { openAccount } from '../support/ledger-client.js';
import { DEPOSIT, WITHDRAW } from '../support/operations.js';
import { graphql, startTestTally } from '../support/test-tally.js';

// The clock at the API's edge, set by each step of the story below.
let now = new Date('2026-01-06T14:00:00.000Z');
let tally: Tally;
let unsnapshotted: Tally;
beforeAll(async () => {
  // Snapshots every 2 events, so the moments below fall before, on and after snapshots.
  tally = await startTestTally({ clock: () => now, snapshotEvery: 2 });
  unsnapshotted = await startTestTally({ clock: () => now, snapshotEvery: 0 });
});
afterAll(async () => {
  await tally?.close();
  await unsnapshotted?.close();
});

const AT = `query ($id: ID!, $at: DateTime, $revision: Int) {
  accountAt(id: $id, at: $at, revision: $revision) {
    id currency balance { amount } availableBalance { amount } status revision interestRate asOf
    activeHolds { amount { amount } reason status }
  }
}`;

describe('accountAt', () => {
  it('answers the whole account as it stood at any moment, through the write side’s fold', async () => {
    // Given an account's Tuesday: opened with 100.00 at 14:00, then a deposit, a hold, a rate
    // and a withdrawal through the afternoon.
    const { accountId } = await openAccount(tally, { initialDeposit: '100.00' });
    now = new Date('2026-01-06T15:30:00.000Z');
    await graphql(tally, DEPOSIT, { input: { accountId, amount: '50' } });
    now = new Date('2026-01-06T15:45:00.000Z');
    const hold = await graphql(
      tally,
      `mutation ($input: PlaceHoldInput!) { placeHold(input: $input) { __typename } }`,
      { input: { accountId, amount: '20', reason: 'hotel' } },
    );
    expect(hold.data?.placeHold.__typename).toBe('HoldSuccess');
    now = new Date('2026-01-06T15:50:00.000Z');
    const rate = await graphql(
      tally,
      `mutation ($input: SetInterestRateInput!) { setInterestRate(input: $input) { __typename } }`,
      { input: { accountId, annualRate: '0.035', reason: 'new tariff' } },
    );
    expect(rate.data?.setInterestRate.__typename).toBe('AccountCommandSuccess');
    now = new Date('2026-01-06T16:00:00.000Z');
    const last = await graphql(tally, WITHDRAW, { input: { accountId, amount: '30' } });

    const at = async (t: Tally, variables: Record<string, unknown>) => {
      const result = await graphql(t, AT, { id: accountId, ...variables });
      expect(result.errors).toBeUndefined();
      return result.data?.accountAt;
    };

    // When it is asked for moments through the day, then each answer is the state then.
    expect(await at(tally, { at: '2026-01-06T13:59:59Z' })).toBeNull();
    expect(await at(tally, { at: '2026-01-06T15:00:00Z' })).toMatchObject({
      balance: { amount: '100.00' },
      revision: 1,
      asOf: '2026-01-06T14:00:00.000Z',
      activeHolds: [],
      interestRate: null,
      status: 'OPEN',
    });
    const quarterToFour = await at(tally, { at: '2026-01-06T15:55:00Z' });
    expect(quarterToFour).toMatchObject({
      balance: { amount: '150.00' },
      availableBalance: { amount: '130.00' },
      interestRate: '0.035',
      activeHolds: [{ amount: { amount: '20.00' }, reason: 'hotel', status: 'ACTIVE' }],
      asOf: '2026-01-06T15:50:00.000Z',
    });
    expect(await at(tally, { revision: quarterToFour.revision })).toEqual(quarterToFour);
    expect(await at(tally, { revision: 99 })).toMatchObject({
      balance: { amount: '120.00' },
      availableBalance: { amount: '100.00' },
    });

    // Snapshots change nothing but the speed: a Tally without them answers the same.
    for (const moment of [
      { at: '2026-01-06T15:00:00Z' },
      { at: '2026-01-06T15:46:00Z' },
      { revision: 2 },
      { revision: 5 },
    ]) {
      expect(await at(unsnapshotted, moment)).toEqual(await at(tally, moment));
    }
    // The snapshots exist, and their stream is capped so old ones can be scavenged.
    await tally.services.history.accountSnapshots?.settled();
    const metadata = await tally.eventStore.getStreamMetadata(
      snapshotStreamOf(`account-${accountId}`),
    );
    expect(metadata.metadata?.maxCount).toBe(1000);

    // balanceAt answers through the same fold.
    const account = await graphql(
      tally,
      `query ($id: ID!, $after: Position) { account(id: $id, consistentWith: $after) {
        before: balanceAt(at: "2026-01-06T13:00:00Z") { amount }
        threePm: balanceAt(at: "2026-01-06T15:00:00Z") { amount }
        evening: balanceAt(at: "2026-01-06T20:00:00Z") { amount }
      } }`,
      { id: accountId, after: last.data?.withdrawMoney.position },
    );
    expect(account.data?.account).toEqual({
      before: null,
      threePm: { amount: '100.00' },
      evening: { amount: '120.00' },
    });
  });

  it('takes exactly one of at and revision', async () => {
    const { accountId } = await openAccount(tally);
    for (const variables of [{}, { at: '2026-01-06T15:00:00Z', revision: 0 }]) {
      const result = await graphql(tally, AT, { id: accountId, ...variables });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toBe('give exactly one of at and revision');
    }
    const malformed = await graphql(tally, AT, { id: 'nope', revision: 0 });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
  });
});
