import { randomUUID } from 'node:crypto';
import { BACKWARDS, END, type Position, streamNameFilter } from '@eventstore/db-client';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { createTallyYoga } from '../../src/graphql/yoga.js';
import {
  createTransferProcessManager,
  PROCESS_MANAGER_CHECKPOINT,
  settleTransfer,
} from '../../src/process/transfer-process-manager.js';
import { CheckpointStore } from '../../src/read/checkpoint-store.js';
import { CheckpointedSubscription } from '../../src/read/checkpointed-subscription.js';
import { ParkedEventStore, replayParked } from '../../src/read/parking/index.js';
import { type Projection, readModelProjections } from '../../src/read/projections/index.js';
import { applyBatch } from '../../src/read/projector.js';
import { readModels } from '../../src/read/read-models.js';
import type { RecordedEvent } from '../../src/read/recorded-event.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { TRANSFER } from '../support/operations.js';
import { endOfAll } from '../support/settlement.js';
import { graphql, startTestTally } from '../support/test-tally.js';
import { testApiOptions } from '../support/tokens.js';
import { capturingLogger, ERROR_LEVEL, FAST_RETRY } from './parking-support.js';

let tally: Tally;
let mongo: MongoClient;
beforeAll(async () => {
  tally = await startTestTally({ runProcessManager: false });
  mongo = new MongoClient(inject('mongoUrl'));
  await mongo.connect();
});
afterAll(async () => {
  await tally?.close();
  await mongo?.close();
});

/** The API over another read-model database: the one the subscription under test feeds. */
function projectorTally(db: Db): Tally {
  const services = { ...tally.services, models: readModels(db) };
  return { ...tally, yoga: createTallyYoga(services, testApiOptions()) };
}

/**
 * The position of the last event in $all now. The read is consumed to its end: a read left
 * early keeps its gRPC call paused, and the client's dispose() in afterAll then waits forever.
 */
async function lastPosition(): Promise<Position> {
  let last: Position | undefined;
  for await (const resolved of tally.eventStore.readAll({
    direction: BACKWARDS,
    fromPosition: END,
    maxCount: 1,
  })) {
    if (resolved.event) last = resolved.event.position;
  }
  if (!last) throw new Error('the event store is empty');
  return last;
}

/** A read-model database of this test's own, fed by the subscription under test. */
function freshDb(): Db {
  return mongo.db(`test_parking_${randomUUID().replaceAll('-', '').slice(0, 12)}`);
}

describe('a projection that cannot apply one event', () => {
  it('parks it after every attempt, applies the later ones, lists it, and replays it once fixed', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '1.00' });
    await deposit(tally, accountId, '2.00'); // revision 2: the event the projection chokes on
    await deposit(tally, accountId, '4.00');
    const stream = `account-${accountId}`;

    let broken = true;
    const faulty: Projection = {
      name: 'accounts',
      project(event: RecordedEvent) {
        if (broken && event.streamId === stream && event.revision === 2) {
          throw new Error('projection bug: cannot read this deposit');
        }
        return [];
      },
    };
    const db = freshDb();
    const models = readModels(db);
    const { logger, lines } = capturingLogger();
    const projector = new CheckpointedSubscription(
      tally.eventStore,
      new CheckpointStore(models.checkpoints),
      {
        name: 'read-models',
        checkpointNames: ['projection:test'],
        filter: streamNameFilter({ prefixes: [stream] }),
        retry: FAST_RETRY,
        handleBatch: (events) => applyBatch(models, [...readModelProjections, faulty], events),
      },
      logger,
    );
    await projector.start();
    try {
      expect(await projector.progress.waitFor(await endOfAll(tally), 10_000)).toBe(true);

      // The later deposit was applied: the consumer moved past the bad event.
      expect(await models.accounts.findOne({ _id: accountId })).toMatchObject({
        balance: 700,
        revision: 3,
      });
      const parked = ParkedEventStore.inDatabase(db);
      const page = await parked.list(10);
      expect(page.events).toEqual([
        expect.objectContaining({
          consumer: 'read-models',
          streamId: stream,
          revision: 2,
          eventType: 'MoneyDeposited',
          attempts: FAST_RETRY.attempts,
          error: expect.stringContaining('projection bug: cannot read this deposit'),
        }),
      ]);
      expect(page.hasNextPage).toBe(false);
      const errors = lines.filter((l) => l.level === ERROR_LEVEL);
      expect(errors).toEqual([
        expect.objectContaining({ consumer: 'read-models', streamId: stream, revision: 2 }),
      ]);
      expect(errors[0]?.msg).toMatch(/parked/);

      // Operators see it through the API: admins and auditors may, customers may not.
      const PARKED = `{ parkedEvents(first: 10) { edges { node {
        id consumer streamId revision position eventType error attempts parkedAt } } } }`;
      const listed = await graphql(projectorTally(db), PARKED, {}, { as: 'auditor' });
      expect(listed.data?.parkedEvents.edges).toEqual([
        {
          node: expect.objectContaining({
            id: page.events[0]!.id,
            consumer: 'read-models',
            streamId: stream,
            revision: 2,
            eventType: 'MoneyDeposited',
            attempts: FAST_RETRY.attempts,
          }),
        },
      ]);
      const refused = await graphql(projectorTally(db), PARKED, {}, { as: 'customer' });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

      broken = false;
      const id = page.events[0]!.id;
      const deps = { eventStore: tally.eventStore, parked, consumers: [projector] };
      expect(await replayParked(deps, id)).toMatchObject({ status: 'replayed' });
      expect(await replayParked(deps, id)).toEqual({ status: 'not-found', id });
      expect(await parked.count()).toBe(0);
      // Applied once: the missing transaction is there, and the balance did not move twice.
      const transactions = await models.transactions
        .find({ accountId })
        .sort({ revision: 1 })
        .toArray();
      expect(transactions.map((t) => [t.revision, t.amount])).toEqual([
        [1, 100],
        [2, 200],
        [3, 400],
      ]);
      expect(await models.accounts.findOne({ _id: accountId })).toMatchObject({ balance: 700 });
    } finally {
      await projector.stop();
    }
  });

  it('a replay that fails again keeps the event parked with the new error', async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '1.00' });
    await deposit(tally, accountId, '2.00');
    const stream = `account-${accountId}`;
    let phase = 'while subscribed';
    const faulty: Projection = {
      name: 'accounts',
      project(event) {
        if (event.streamId === stream && event.revision === 2) {
          throw new Error(`still broken ${phase}`);
        }
        return [];
      },
    };
    const db = freshDb();
    const models = readModels(db);
    const projector = new CheckpointedSubscription(
      tally.eventStore,
      new CheckpointStore(models.checkpoints),
      {
        name: 'read-models',
        checkpointNames: ['projection:test'],
        filter: streamNameFilter({ prefixes: [stream] }),
        retry: FAST_RETRY,
        handleBatch: (events) => applyBatch(models, [faulty], events),
      },
      capturingLogger().logger,
    );
    await projector.start();
    try {
      expect(await projector.progress.waitFor(await endOfAll(tally), 10_000)).toBe(true);
      const parked = ParkedEventStore.inDatabase(db);
      const [event] = (await parked.list(10)).events;
      phase = 'on replay';
      const deps = { eventStore: tally.eventStore, parked, consumers: [projector] };
      expect(await replayParked(deps, event!.id)).toMatchObject({ status: 'failed' });
      expect(await parked.get(event!.id)).toMatchObject({
        attempts: FAST_RETRY.attempts + 1,
        error: expect.stringContaining('still broken on replay'),
      });
    } finally {
      await projector.stop();
    }
  });
});

describe('a process-manager step that cannot settle one transfer', () => {
  it('parks that transfer, settles the later ones, and settles it once when replayed', async () => {
    const a = await openAccount(tally, { initialDeposit: '100.00' });
    const b = await openAccount(tally);
    const c = await openAccount(tally);
    // The manager starts after everything already in the suite's shared event store: from
    // position 0 it replayed every other test's transfers first, and under a loaded full run
    // that alone could take its 30 s.
    const before = await lastPosition();
    const transfer = async (to: string, amount: string) => {
      const sent = await graphql(tally, TRANSFER, {
        input: { fromAccountId: a.accountId, toAccountId: to, amount },
      });
      expect(sent.data?.transferMoney.__typename).toBe('TransferSuccess');
      return sent.data?.transferMoney.transfer.id as string;
    };
    const first = await transfer(b.accountId, '10.00');
    const poisoned = await transfer(c.accountId, '20.00');
    const last = await transfer(b.accountId, '30.00');
    const ours = new Set([first, poisoned, last]);

    let broken = true;
    const db = freshDb();
    const { logger, lines } = capturingLogger();
    const ledger = tally.services.ledger;
    const checkpoints = new CheckpointStore(readModels(db).checkpoints);
    await checkpoints.save([PROCESS_MANAGER_CHECKPOINT], before, new Date());
    const manager = createTransferProcessManager(
      tally.eventStore,
      ledger,
      checkpoints,
      logger,
      () => new Date(),
      {
        retry: FAST_RETRY,
        // Only this test's transfers: other test files share the event store.
        settle: async (event) => {
          const { transferId } = event.data as { transferId: string };
          if (!ours.has(transferId)) return;
          if (broken && transferId === poisoned) throw new Error('settlement bug');
          await settleTransfer(ledger, event);
        },
      },
    );
    await manager.start();
    try {
      const end = await endOfAll(tally);
      expect(await manager.progress.waitFor(end, 30_000)).toBe(true);
      expect(await tally.projector.progress.waitFor(await endOfAll(tally), 10_000)).toBe(true);
      const status = async (id: string) =>
        (await tally.models.transfers.findOne({ _id: id }))?.status;
      expect([await status(first), await status(poisoned), await status(last)]).toEqual([
        'COMPLETED',
        'PENDING',
        'COMPLETED',
      ]);

      const parked = ParkedEventStore.inDatabase(db);
      const { events } = await parked.list(10);
      expect(events).toEqual([
        expect.objectContaining({
          consumer: 'transfer-process-manager',
          streamId: `account-${a.accountId}`,
          eventType: 'TransferSent',
          attempts: FAST_RETRY.attempts,
          error: expect.stringContaining('settlement bug'),
        }),
      ]);
      expect(lines.filter((l) => l.level === ERROR_LEVEL)).toHaveLength(1);

      broken = false;
      const deps = { eventStore: tally.eventStore, parked, consumers: [manager] };
      expect(await replayParked(deps, events[0]!.id)).toMatchObject({ status: 'replayed' });
      expect(await replayParked(deps, events[0]!.id)).toMatchObject({ status: 'not-found' });
      expect(await tally.projector.progress.waitFor(await endOfAll(tally), 10_000)).toBe(true);
      expect(await status(poisoned)).toBe('COMPLETED');
      // Credited exactly once.
      expect(await tally.models.accounts.findOne({ _id: c.accountId })).toMatchObject({
        balance: 2000,
      });
    } finally {
      await manager.stop();
    }
  });
});
