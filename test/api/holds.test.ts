import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { rootLogger } from '../../src/logger.js';
import { createHoldExpiry } from '../../src/process/hold-expiry.js';
import { openAccount } from '../support/ledger-client.js';
import { FREEZE, WITHDRAW } from '../support/operations.js';
import { endOfAll } from '../support/settlement.js';
import { graphql, type Json, startTestTally } from '../support/test-tally.js';
import {
  ACCOUNT_WITH_HOLDS,
  CAPTURE_HOLD,
  HOLD,
  movableClock,
  PLACE_HOLD,
  RELEASE_HOLD,
} from './banking-operations.js';

const time = movableClock('2031-03-10T12:00:00.000Z');
let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally({ clock: time.clock, runTimedProcesses: false });
});
afterAll(async () => {
  await tally?.close();
});

async function mutate(document: string, input: Record<string, unknown>, as: Json = 'teller') {
  const result = await graphql(tally, document, { input }, { as });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return Object.values(result.data ?? {})[0] as Json;
}

/** Reads an account once the read models have everything written so far. */
async function readAccount(id: string, status?: string) {
  const consistentWith = String(await endOfAll(tally));
  const result = await graphql(tally, ACCOUNT_WITH_HOLDS, { id, consistentWith, status });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data?.account;
}

async function eventTypes(accountId: string) {
  const types: string[] = [];
  for await (const resolved of tally.eventStore.readStream(`account-${accountId}`)) {
    types.push(resolved.event!.type);
  }
  return types;
}

describe('holds through the API', () => {
  it('places a hold, captures part of it and releases the rest in the same event', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '100.00' });
    const placed = await mutate(PLACE_HOLD, { accountId, amount: '30.00', reason: 'hotel' });
    expect(placed).toMatchObject({
      __typename: 'HoldSuccess',
      hold: {
        status: 'ACTIVE',
        amount: { amount: '30.00', currency: 'USD' },
        placedAt: '2031-03-10T12:00:00.000Z',
        expiresAt: '2031-03-17T12:00:00.000Z',
        settledAt: null,
      },
      account: { balance: { amount: '100.00' }, availableBalance: { amount: '70.00' } },
    });

    // Only the available balance may leave.
    const refused = await mutate(WITHDRAW, { accountId, amount: '70.01' });
    expect(refused).toMatchObject({
      __typename: 'InsufficientFundsError',
      available: { amount: '70.00' },
    });

    const holdId = placed.hold.id;
    time.advance(60_000);
    const captured = await mutate(CAPTURE_HOLD, { holdId, amount: '12.50' });
    expect(captured).toMatchObject({
      __typename: 'HoldSuccess',
      hold: { status: 'CAPTURED', capturedAmount: { amount: '12.50' } },
      account: { balance: { amount: '87.50' }, availableBalance: { amount: '87.50' } },
    });

    const account = await readAccount(accountId);
    expect(account).toMatchObject({
      balance: { amount: '87.50' },
      availableBalance: { amount: '87.50' },
    });
    expect(account.holds.edges.map((e: Json) => e.node)).toEqual([
      expect.objectContaining({
        id: holdId,
        status: 'CAPTURED',
        capturedAmount: { amount: '12.50' },
        settledAt: '2031-03-10T12:01:00.000Z',
      }),
    ]);
    expect(account.transactions.edges[0].node).toMatchObject({
      kind: 'HOLD_CAPTURE',
      amount: { amount: '12.50' },
      balanceAfter: { amount: '87.50' },
      holdId,
      actor: 'test-teller',
    });
    expect(await eventTypes(accountId)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'FundsReserved',
      'HoldCaptured',
    ]);
  });

  it('releases a hold; a capture after that names its status; an unknown hold is not found', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '10.00' });
    const placed = await mutate(PLACE_HOLD, { accountId, amount: '10.00', reason: 'deposit' });
    expect(placed.account.availableBalance.amount).toBe('0.00');
    const holdId = placed.hold.id;
    const released = await mutate(RELEASE_HOLD, { holdId, reason: 'returned the car' });
    expect(released).toMatchObject({
      hold: { status: 'RELEASED', capturedAmount: null },
      account: { availableBalance: { amount: '10.00' } },
    });
    expect(await mutate(CAPTURE_HOLD, { holdId })).toMatchObject({
      __typename: 'HoldNotActiveError',
      holdId,
      holdStatus: 'RELEASED',
    });
    const unknown = '00000000-0000-4000-8000-00000000000a';
    expect(await mutate(RELEASE_HOLD, { holdId: unknown, reason: 'x' })).toMatchObject({
      __typename: 'HoldNotFoundError',
      holdId: unknown,
    });
    const consistentWith = String(await endOfAll(tally));
    const read = await graphql(tally, HOLD, { id: holdId, consistentWith });
    expect(read.data?.hold).toMatchObject({ status: 'RELEASED', reason: 'deposit' });
    const active = await readAccount(accountId, 'ACTIVE');
    expect(active.holds.edges).toEqual([]);
  });

  it('refuses a hold beyond the available balance, past 30 days, or on a frozen account, where a release still works', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '5.00' });
    expect(await mutate(PLACE_HOLD, { accountId, amount: '5.01', reason: 'x' })).toMatchObject({
      __typename: 'InsufficientFundsError',
      available: { amount: '5.00' },
    });
    const late = { accountId, amount: '1', reason: 'x', expiresAt: '2031-04-30T00:00:00Z' };
    expect(await mutate(PLACE_HOLD, late)).toMatchObject({
      __typename: 'ValidationError',
      field: 'expiresAt',
    });
    const placed = await mutate(PLACE_HOLD, { accountId, amount: '2.00', reason: 'x' });
    await mutate(FREEZE, { accountId, reason: 'fraud check' }, 'admin');
    expect(await mutate(PLACE_HOLD, { accountId, amount: '1', reason: 'x' })).toMatchObject({
      __typename: 'AccountNotOpenError',
      status: 'FROZEN',
    });
    expect(await mutate(CAPTURE_HOLD, { holdId: placed.hold.id })).toMatchObject({
      __typename: 'AccountNotOpenError',
    });
    expect(
      await mutate(RELEASE_HOLD, { holdId: placed.hold.id, reason: 'unfrozen later' }),
    ).toMatchObject({ __typename: 'HoldSuccess', hold: { status: 'RELEASED' } });
  });

  it('a retried placeHold returns the first hold and reserves nothing more', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '50.00' });
    const input = { accountId, amount: '20', reason: 'taxi', idempotencyKey: 'taxi-1' };
    const first = await mutate(PLACE_HOLD, input);
    const again = await mutate(PLACE_HOLD, { ...input, amount: '20.00' });
    expect(again.hold.id).toBe(first.hold.id);
    expect(again.account.availableBalance.amount).toBe('30.00');
    expect(await mutate(PLACE_HOLD, { ...input, amount: '21' })).toMatchObject({
      __typename: 'ValidationError',
      field: 'idempotencyKey',
    });
    expect((await eventTypes(accountId)).filter((t) => t === 'FundsReserved')).toHaveLength(1);
  });

  it('expires a hold at expiresAt by the process clock, exactly once across restarts', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '40.00' });
    const placed = await mutate(PLACE_HOLD, {
      accountId,
      amount: '40.00',
      reason: 'pre-authorisation',
      expiresAt: '2031-03-11T12:00:00.000Z',
    });
    const holdId = placed.hold.id;
    await readAccount(accountId); // the read model has the hold

    // The process, confined to this account: the event store is shared with other tests.
    const expiry = () =>
      createHoldExpiry(tally.services.ledger, tally.models, rootLogger, time.clock, {
        scope: { accountId },
      });
    const running = expiry();
    // Not due yet: nothing happens.
    time.set('2031-03-11T11:59:59.999Z');
    expect(await running.runOnce()).toBe(0);
    expect((await readAccount(accountId)).availableBalance.amount).toBe('0.00');

    time.set('2031-03-11T12:00:30.000Z');
    expect(await running.runOnce()).toBe(1);
    // A second pass before the read model caught up, and a restarted process, repeat nothing.
    expect(await running.runOnce()).toBe(0);
    time.advance(3_600_000);
    expect(await expiry().runOnce()).toBe(0);

    const account = await readAccount(accountId);
    expect(account.availableBalance.amount).toBe('40.00');
    expect(account.holds.edges[0].node).toMatchObject({
      id: holdId,
      status: 'EXPIRED',
      settledAt: '2031-03-11T12:00:30.000Z',
    });
    const types = await eventTypes(accountId);
    expect(types.filter((t) => t === 'HoldExpired')).toHaveLength(1);
    expect(await mutate(CAPTURE_HOLD, { holdId })).toMatchObject({
      __typename: 'HoldNotActiveError',
      holdStatus: 'EXPIRED',
    });
  });

  it('lets tellers and admins hold, capture and release; customers and auditors get ForbiddenError', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '5.00' });
    for (const who of ['customer', 'auditor']) {
      expect(await mutate(PLACE_HOLD, { accountId, amount: '1', reason: 'x' }, who)).toMatchObject({
        __typename: 'ForbiddenError',
        requiredRole: 'TELLER',
      });
    }
    const placed = await mutate(PLACE_HOLD, { accountId, amount: '1', reason: 'x' }, 'admin');
    expect(await mutate(CAPTURE_HOLD, { holdId: placed.hold.id }, 'customer')).toMatchObject({
      __typename: 'ForbiddenError',
      requiredRole: 'TELLER',
    });
    expect((await eventTypes(accountId)).at(-1)).toBe('FundsReserved');
  });
});
