import { START } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { readModelProjections } from '../../src/read/projections/index.js';
import { applyBatch } from '../../src/read/projector.js';
import { type RecordedEvent, toRecordedEvent } from '../../src/read/recorded-event.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { FREEZE, TRANSFER } from '../support/operations.js';
import { lastTransferSent, waitForSettlement } from '../support/settlement.js';
import { graphql, startTestTally } from '../support/test-tally.js';

let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally();
});
afterAll(async () => {
  await tally?.close();
});

/** Every read-model document, without Mongo's ordering accidents. */
async function snapshot() {
  const sorted = async (name: 'accounts' | 'transactions' | 'transfers') =>
    (await tally.models[name].find({}).toArray()).sort((a, b) =>
      String(a._id).localeCompare(String(b._id)),
    );
  return {
    accounts: await sorted('accounts'),
    transactions: await sorted('transactions'),
    transfers: await sorted('transfers'),
  };
}

async function eventsOf(streams: string[]): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const resolved of tally.eventStore.readAll({ fromPosition: START })) {
    const event = resolved.event;
    if (event?.isJson && streams.includes(event.streamId))
      events.push(toRecordedEvent(event as never));
  }
  return events;
}

describe('projections are idempotent', () => {
  it('delivering the same events again, whole or in part, changes no document', async () => {
    const a = await openAccount(tally, { initialDeposit: '50.00' });
    const b = await openAccount(tally);
    await deposit(tally, a.accountId, '1.25');
    const sent = await graphql(tally, TRANSFER, {
      input: { fromAccountId: a.accountId, toAccountId: b.accountId, amount: '20' },
    });
    await waitForSettlement(tally, await lastTransferSent(tally, a.accountId));
    const freeze = await graphql(tally, FREEZE, {
      input: { accountId: b.accountId, reason: 'audit' },
    });
    await tally.projector.progress.waitFor(BigInt(freeze.data?.freezeAccount.position), 5000);

    const before = await snapshot();
    expect(before.accounts.find((d) => d._id === b.accountId)).toMatchObject({
      balance: 2000,
      status: 'FROZEN',
    });

    const streams = [
      `account-${a.accountId}`,
      `account-${b.accountId}`,
      `transfer-${sent.data?.transferMoney.transfer.id}`,
    ];
    const events = await eventsOf(streams);
    expect(events.length).toBeGreaterThanOrEqual(7);
    await applyBatch(tally.models, readModelProjections, events);
    await applyBatch(tally.models, readModelProjections, events.slice(2, 5));
    for (const event of events) await applyBatch(tally.models, readModelProjections, [event]);

    expect(await snapshot()).toEqual(before);
  });

  it('rebuilding from position 0 into empty collections ends in the same documents', async () => {
    const a = await openAccount(tally, { initialDeposit: '9.99' });
    await deposit(tally, a.accountId, '0.01');
    const stream = `account-${a.accountId}`;
    const events = await eventsOf([stream]);
    await tally.projector.progress.waitFor(events.at(-1)!.position.commit, 5000);
    const live = await tally.models.accounts.findOne({ _id: a.accountId });
    await tally.models.accounts.deleteOne({ _id: a.accountId });
    await tally.models.transactions.deleteMany({ accountId: a.accountId });
    await applyBatch(tally.models, readModelProjections, events);
    expect(await tally.models.accounts.findOne({ _id: a.accountId })).toEqual(live);
    expect(await tally.models.transactions.countDocuments({ accountId: a.accountId })).toBe(2);
  });
});
