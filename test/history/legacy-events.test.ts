import { randomUUID } from 'node:crypto';
import { jsonEvent } from '@eventstore/db-client';
import { type EmbeddedEventStore, startEmbeddedEventStore } from '@tally/eventstore-standin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { openAccount } from '../support/ledger-client.js';
import { DEPOSIT, TRANSFER } from '../support/operations.js';
import { endOfAll, lastTransferSent, waitForSettlement } from '../support/settlement.js';
import { graphql, type Json, startTestTally } from '../support/test-tally.js';

// Legacy histories get an event store of their own: every other test's projector starts from
// position 0 of the shared one, and should not meet these imports.
let store: EmbeddedEventStore;
let tally: Tally;
beforeAll(async () => {
  store = await startEmbeddedEventStore({ host: '127.0.0.1', port: 0 });
  tally = await startTestTally({ eventStoreUrl: store.url });
});
afterAll(async () => {
  await tally?.close();
  await store?.close();
});

/** Appends events as an older system wrote them: the classic v1 shapes, no Tally envelope. */
async function importLegacy(accountId: string, events: { type: string; data: object }[]) {
  const result = await tally.eventStore.appendToStream(
    `account-${accountId}`,
    events.map((event) => jsonEvent({ ...event, data: event.data as Record<string, unknown> })),
  );
  return result.position!.commit;
}

const HISTORY = `query ($id: ID!, $at: Position) {
  account(id: $id, consistentWith: $at) {
    balance { amount currency } ownerId revision
    transactions(first: 10) { edges { node { kind amount { amount } balanceAfter { amount } revision } } }
    history(first: 10) { edges { node { revision type writtenType schemaVersion actor correlationId data } } }
  }
  byRevision: accountAt(id: $id, revision: 1) { balance { amount currency } revision asOf }
}`;

describe('events written under the classic v1 shapes', () => {
  it('read everywhere in minor units of the account’s currency: write side, read models, history, accountAt', async () => {
    // Given an account imported from the classic example, in its v1 shapes.
    const accountId = randomUUID();
    const owner = randomUUID();
    await importLegacy(accountId, [
      { type: 'AccountCreated', data: { owner, initialBalance: 0 } },
      { type: 'MoneyDeposited', data: { amount: 100.5 } },
      { type: 'MoneyWithdrawn', data: { amount: 20.25 } },
    ]);

    // When a teller deposits on it today (the write side folds the v1 events)...
    const deposit = await graphql(tally, DEPOSIT, { input: { accountId, amount: '10' } });
    expect(deposit.data?.depositMoney).toMatchObject({
      __typename: 'AccountCommandSuccess',
      account: { balance: { amount: '90.25', currency: 'USD' }, revision: 3 },
    });

    // ...then the read models, the history and accountAt all show today's shapes.
    const { data, errors } = await graphql(tally, HISTORY, {
      id: accountId,
      at: deposit.data?.depositMoney.position,
    });
    expect(errors).toBeUndefined();
    expect(data?.account.balance).toEqual({ amount: '90.25', currency: 'USD' });
    expect(data?.account.ownerId).toBe(owner);
    expect(data?.account.transactions.edges.map((e: Json) => e.node)).toEqual([
      {
        kind: 'DEPOSIT',
        amount: { amount: '10.00' },
        balanceAfter: { amount: '90.25' },
        revision: 3,
      },
      {
        kind: 'WITHDRAWAL',
        amount: { amount: '20.25' },
        balanceAfter: { amount: '80.25' },
        revision: 2,
      },
      {
        kind: 'DEPOSIT',
        amount: { amount: '100.50' },
        balanceAfter: { amount: '100.50' },
        revision: 1,
      },
    ]);
    const history = data?.account.history.edges.map((e: Json) => e.node);
    expect(history.map((e: Json) => [e.type, e.writtenType, e.schemaVersion])).toEqual([
      ['AccountOpened', 'AccountCreated', 1],
      ['MoneyDeposited', 'MoneyDeposited', 1],
      ['MoneyWithdrawn', 'MoneyWithdrawn', 1],
      ['MoneyDeposited', 'MoneyDeposited', 2],
    ]);
    expect(history[0].data).toEqual({ accountId, ownerId: owner, currency: 'USD' });
    expect(history[1].data).toEqual({
      accountId,
      amount: 10050,
      currency: 'USD',
      balanceAfter: 10050,
    });
    expect(history[3].actor).toBe('test-admin');
    expect(data?.byRevision).toMatchObject({ balance: { amount: '100.50' }, revision: 1 });
  });

  it('a rebuild from position 0 over mixed v1 and v2 events ends in the documents live projection made', async () => {
    // Given a legacy account that then lives on under today's Tally, transfers included.
    const legacyId = randomUUID();
    await importLegacy(legacyId, [
      { type: 'AccountCreated', data: { owner: randomUUID(), initialBalance: '0' } },
      { type: 'MoneyDeposited', data: { amount: 250 } },
      { type: 'MoneyDeposited', data: { amount: 0.1 } },
    ]);
    const { accountId: otherId } = await openAccount(tally, { initialDeposit: '5.00' });
    const sent = await graphql(tally, TRANSFER, {
      input: { fromAccountId: legacyId, toAccountId: otherId, amount: '50.05' },
    });
    expect(sent.data?.transferMoney.__typename).toBe('TransferSuccess');
    await waitForSettlement(tally, await lastTransferSent(tally, legacyId));
    const live = await readModelsOf(tally);
    expect(live.accounts.find((a) => a._id === legacyId)).toMatchObject({ balance: 20005 });

    // When the read models are rebuilt from position 0 (a fresh database)...
    const rebuilt = await startTestTally({ eventStoreUrl: store.url, runProcessManager: false });
    try {
      expect(await rebuilt.projector.progress.waitFor(await endOfAll(tally), 30_000)).toBe(true);
      // ...then they hold the same documents.
      expect(await readModelsOf(rebuilt)).toEqual(live);
    } finally {
      await rebuilt.close();
    }
  });
});

describe('a legacy amount that is not whole minor units', () => {
  let poisoned: EmbeddedEventStore;
  let other: Tally;
  beforeAll(async () => {
    poisoned = await startEmbeddedEventStore({ host: '127.0.0.1', port: 0 });
    other = await startTestTally({ eventStoreUrl: poisoned.url });
  });
  afterAll(async () => {
    await other?.close();
    await poisoned?.close();
  });

  it('is a clear error naming the event wherever it is read, never a rounded balance', async () => {
    const accountId = randomUUID();
    const stream = `account-${accountId}`;
    await other.eventStore.appendToStream(
      stream,
      jsonEvent({ type: 'AccountCreated', data: { owner: 'alice', initialBalance: 0 } }),
    );
    // Its own append, so its commit position is its own to wait for.
    const result = await other.eventStore.appendToStream(
      stream,
      jsonEvent({ type: 'MoneyDeposited', data: { amount: 100.505 } }),
    );
    const named = `MoneyDeposited v1 at account-${accountId}@1: amount 100.505 is not a whole number of USD minor units`;

    // accountAt says which event, and why.
    const asOf = await graphql(
      other,
      `query ($id: ID!) { accountAt(id: $id, revision: 1) { balance { amount } } }`,
      { id: accountId },
    );
    expect(asOf.errors?.[0]?.extensions?.code).toBe('UNREADABLE_EVENT');
    expect(asOf.errors?.[0]?.message).toContain(named);

    // The write side refuses to decide on it, and writes nothing.
    const deposit = await graphql(other, DEPOSIT, { input: { accountId, amount: '1' } });
    expect(deposit.errors?.length).toBeGreaterThan(0);
    expect(deposit.data?.depositMoney ?? null).toBeNull();

    // The projector parks it with the reason, and moves on.
    expect(await other.projector.progress.waitFor(result.position!.commit, 30_000)).toBe(true);
    const parked = await graphql(
      other,
      `{ parkedEvents(first: 10) { edges { node { streamId revision eventType error } } } }`,
    );
    const nodes = parked.data?.parkedEvents.edges.map((e: Json) => e.node) ?? [];
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) {
      expect(node).toMatchObject({ streamId: `account-${accountId}`, revision: 1 });
      expect(node.error).toContain(named);
    }
    let last = -1;
    for await (const resolved of other.eventStore.readStream(`account-${accountId}`)) {
      last = Number(resolved.event?.revision);
    }
    expect(last).toBe(1);
  });
});

/** Every read-model document Tally keeps, by collection, in id order. */
async function readModelsOf(t: Tally) {
  const all = async (
    name: 'accounts' | 'transactions' | 'transfers' | 'correlations' | 'ledgerIntegrity',
  ) => (await (t.models[name] as Json).find({}).sort({ _id: 1 }).toArray()) as Json[];
  return {
    accounts: await all('accounts'),
    transactions: await all('transactions'),
    transfers: await all('transfers'),
    correlations: await all('correlations'),
    ledgerIntegrity: await all('ledgerIntegrity'),
  };
}
