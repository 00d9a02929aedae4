import { randomUUID } from 'node:crypto';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ledgerIntegrityProjection } from '../../src/read/projections/integrity.js';
import { applyBatch } from '../../src/read/projector.js';
import { type ReadModels, readModels } from '../../src/read/read-models.js';
import type { RecordedEvent } from '../../src/read/recorded-event.js';
import { EventLog, newId } from './events.js';

let mongo: MongoClient;
let db: Db;
let models: ReadModels;
beforeAll(async () => {
  mongo = await new MongoClient(inject('mongoUrl')).connect();
});
afterAll(async () => {
  await mongo?.close();
});
beforeEach(() => {
  db = mongo.db(`test_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
  models = readModels(db);
});

const project = (events: readonly RecordedEvent[]) =>
  applyBatch(models, [ledgerIntegrityProjection as never], events);

/** The currency's totals as strings of minor units, exactly as stored (Int64). */
async function totals(currency: string) {
  const doc = await models.ledgerIntegrity.findOne(
    { _id: currency as never },
    { useBigInt64: true },
  );
  if (!doc) return undefined;
  const { _id, updatedAt, ...fields } = doc;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
}

describe('ledgerIntegrity projection', () => {
  it('adds deposits and withdrawals, and holds transfers in flight until received or refunded', async () => {
    const log = new EventLog();
    const [a, b] = [newId(), newId()];
    log.account(a, 'AccountOpened', { ownerId: newId(), currency: 'USD' });
    log.movement(a, 'MoneyDeposited', 10_000, 'USD');
    log.movement(a, 'MoneyWithdrawn', 2_500, 'USD');
    log.movement(a, 'TransferSent', 1_000, 'USD', { transferId: 't1', toAccountId: b });
    log.movement(a, 'TransferSent', 700, 'USD', { transferId: 't2', toAccountId: b });
    log.movement(b, 'TransferReceived', 1_000, 'USD', { transferId: 't1', fromAccountId: a });
    await project(log.events);
    const last = log.events.at(-1)!.position;

    expect(await totals('USD')).toEqual({
      deposited: '10000',
      withdrawn: '2500',
      inFlight: '700',
      fees: '0',
      interest: '0',
      captured: '0',
      reversedIn: '0',
      reversedOut: '0',
      position: String(last.commit),
      prepare: String(last.prepare),
    });

    log.movement(a, 'TransferRefunded', 700, 'USD', { transferId: 't2', toAccountId: b });
    await project(log.events.slice(-1));
    expect(await totals('USD')).toMatchObject({ inFlight: '0', deposited: '10000' });
  });

  it('keeps each currency apart and ignores events that move no money', async () => {
    const log = new EventLog();
    const [usd, jpy] = [newId(), newId()];
    log.movement(usd, 'MoneyDeposited', 150, 'USD');
    log.movement(jpy, 'MoneyDeposited', 90_000, 'JPY');
    log.account(usd, 'AccountFrozen', { reason: 'audit' });
    log.account(usd, 'TransferDelivered', { transferId: 't', toAccountId: jpy });
    log.movement(jpy, 'MoneyWithdrawn', 1, 'JPY');
    await project(log.events);

    expect(await totals('USD')).toMatchObject({ deposited: '150', withdrawn: '0' });
    expect(await totals('JPY')).toMatchObject({ deposited: '90000', withdrawn: '1' });
    expect(await models.ledgerIntegrity.countDocuments()).toBe(2);
  });

  it('counts every event of one append, though they share a commit position', async () => {
    const log = new EventLog();
    const a = newId();
    log.movement(a, 'MoneyDeposited', 100, 'EUR');
    log.account(
      a,
      'MoneyDeposited',
      { amount: 200, currency: 'EUR', balanceAfter: 300 },
      {
        samePosition: true,
      },
    );
    await project(log.events);
    await project(log.events);
    expect(await totals('EUR')).toMatchObject({ deposited: '300' });
  });

  it('stays exact past 2^53 minor units', async () => {
    const log = new EventLog();
    for (let i = 0; i < 12; i++) log.movement(newId(), 'MoneyDeposited', 10 ** 15 - 1, 'USD');
    await project(log.events);
    expect(await totals('USD')).toMatchObject({ deposited: String(12n * (10n ** 15n - 1n)) });
  });

  it('counts a replayed event once: the batch twice, in overlapping parts, or one by one', async () => {
    const log = new EventLog();
    const [a, b] = [newId(), newId()];
    log.movement(a, 'MoneyDeposited', 5_000, 'GBP');
    log.movement(b, 'MoneyDeposited', 3_000, 'GBP');
    log.movement(a, 'TransferSent', 1_200, 'GBP', { transferId: 't1', toAccountId: b });
    log.movement(b, 'MoneyWithdrawn', 400, 'GBP');
    log.movement(b, 'TransferReceived', 1_200, 'GBP', { transferId: 't1', fromAccountId: a });
    log.movement(a, 'MoneyDeposited', 1, 'CHF');
    log.movement(a, 'MoneyWithdrawn', 99, 'GBP');
    const { events } = log;

    await project(events);
    const once = { gbp: await totals('GBP'), chf: await totals('CHF') };
    expect(once.gbp).toMatchObject({ deposited: '8000', withdrawn: '499', inFlight: '0' });

    await project(events);
    await project(events.slice(1, 4));
    await project(events.slice(3));
    for (const event of events) await project([event]);
    expect({ gbp: await totals('GBP'), chf: await totals('CHF') }).toEqual(once);

    // A fresh database fed the same events in parts ends in the same documents.
    models = readModels(mongo.db(`test_${randomUUID().replaceAll('-', '').slice(0, 16)}`));
    await project(events.slice(0, 2));
    await project(events.slice(0, 5));
    await project(events.slice(4));
    expect({ gbp: await totals('GBP'), chf: await totals('CHF') }).toEqual(once);
  });
});
