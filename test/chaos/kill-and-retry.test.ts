import { randomUUID } from 'node:crypto';
import { BACKWARDS, END, EventStoreDBClient } from '@eventstore/db-client';
import { startEmbeddedEventStore } from '@tally/eventstore-standin';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyLedger } from '../../src/integrity/verify.js';
import { PROCESS_MANAGER_CHECKPOINT } from '../../src/process/transfer-process-manager.js';
import { readModels } from '../../src/read/read-models.js';
import { checkpointPasses } from '../support/process-manager-checkpoint.js';
import { freePort, startServerProcess } from '../support/server-process.js';
import type { Json } from '../support/test-tally.js';
import { authorizationFor, TEST_JWT_SECRET } from '../support/tokens.js';

/**
 * The chaos run of issue 8, against the real server process: 8 concurrent writers deposit,
 * withdraw and transfer with idempotency keys while freezes toggle; the whole Tally process is
 * SIGKILLed 4 times mid-load and restarted; every mutation that got no answer is retried with
 * its key until it does. Afterwards every transfer has settled, money is conserved, and
 * `verify` finds the read models exactly equal to the fold of the event store.
 *
 * CHAOS_OPS sets the mutations per writer (default 25; `npm run chaos` runs more).
 */
const WRITERS = 8;
const OPS_PER_WRITER = Number(process.env.CHAOS_OPS ?? 25);
const KILLS = 4;
const ACCOUNTS = 10;

// An event store of its own: verify checks the whole ledger, and other test files append
// events (raw old shapes, injected faults) that are not this run's.
let store: Awaited<ReturnType<typeof startEmbeddedEventStore>>;
let eventStore: EventStoreDBClient;
let mongo: MongoClient;
beforeAll(async () => {
  store = await startEmbeddedEventStore({ host: '127.0.0.1', port: 0 });
  eventStore = EventStoreDBClient.connectionString(store.url);
  mongo = await new MongoClient(inject('mongoUrl')).connect();
});
afterAll(async () => {
  await mongo?.close();
  await eventStore?.dispose();
  await store?.close();
});

/** A small seeded generator, so a failing run can be replayed. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % below;
  };
}

const ACCOUNT_RESULT = `__typename ... on AccountCommandSuccess { account { balance { amount } } position } ... on Error { message }`;
const mutations = {
  openAccount: `mutation ($input: OpenAccountInput!) { openAccount(input: $input) { __typename ... on AccountCommandSuccess { account { id } position } ... on Error { message } } }`,
  depositMoney: `mutation ($input: DepositMoneyInput!) { depositMoney(input: $input) { ${ACCOUNT_RESULT} } }`,
  withdrawMoney: `mutation ($input: WithdrawMoneyInput!) { withdrawMoney(input: $input) { ${ACCOUNT_RESULT} } }`,
  freezeAccount: `mutation ($input: AccountStatusInput!) { freezeAccount(input: $input) { ${ACCOUNT_RESULT} } }`,
  unfreezeAccount: `mutation ($input: AccountStatusInput!) { unfreezeAccount(input: $input) { ${ACCOUNT_RESULT} } }`,
  transferMoney: `mutation ($input: TransferMoneyInput!) { transferMoney(input: $input) { __typename ... on TransferSuccess { transfer { id } position } ... on Error { message } } }`,
};
type Mutation = keyof typeof mutations;

async function lastTransferSent(): Promise<bigint> {
  let last = 0n;
  for await (const resolved of eventStore.readAll({
    direction: BACKWARDS,
    fromPosition: END,
    maxCount: 5000,
  })) {
    if (resolved.event?.type === 'TransferSent' && last === 0n) {
      last = resolved.event.position.commit;
    }
  }
  return last;
}

describe('chaos: 8 writers, freezes toggling, 4 SIGKILLs of the whole process, retries with keys', () => {
  it('loses nothing acknowledged, applies nothing twice, settles every transfer, and verify finds no difference', async () => {
    const port = await freePort();
    const mongoDb = `test_chaos_${randomUUID().slice(0, 8)}`;
    const env = {
      PORT: String(port),
      EVENTSTORE_URL: store.url,
      MONGODB_URL: inject('mongoUrl'),
      MONGODB_DB: mongoDb,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      RATE_LIMIT_MUTATIONS: '1000000',
    };
    const authorization = await authorizationFor('admin');
    let server = await startServerProcess(env);
    let serverUp: Promise<void> = Promise.resolve();
    let acknowledged = 0;
    let retries = 0;
    const ackWaiters: Array<{ count: number; resolve: () => void }> = [];
    const acknowledge = () => {
      acknowledged++;
      for (const waiter of ackWaiters.filter((w) => w.count <= acknowledged)) {
        ackWaiters.splice(ackWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    };
    const acknowledgedReaches = (count: number) =>
      new Promise<void>((resolve) => {
        if (acknowledged >= count) resolve();
        else ackWaiters.push({ count, resolve });
      });

    /** Sends one mutation until it is answered, retrying with the same key across crashes. */
    async function send(mutation: Mutation, input: Record<string, unknown>): Promise<Json> {
      const body = JSON.stringify({
        query: mutations[mutation],
        variables: { input: { ...input, idempotencyKey: randomUUID() } },
      });
      for (;;) {
        await serverUp;
        try {
          const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization },
            body,
          });
          if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
          const result = (await response.json()) as { data?: Json; errors?: Json };
          expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
          acknowledge();
          return result.data[mutation];
        } catch (error) {
          if ((error as { name?: string }).name === 'AssertionError') throw error;
          retries++;
        }
      }
    }

    const accountIds: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const opened = await send('openAccount', {
        ownerId: randomUUID(),
        currency: 'USD',
        initialDeposit: '1000.00',
      });
      accountIds.push(opened.account.id);
    }
    // An account in another currency: transfers to it are refunded.
    const euro = (await send('openAccount', { ownerId: randomUUID(), currency: 'EUR' })).account
      .id as string;

    let deposited = ACCOUNTS * 100_000;
    let withdrawn = 0;
    const transferIds: string[] = [];
    const cents = (amount: number) => (amount / 100).toFixed(2);

    async function writer(index: number): Promise<void> {
      const next = random(index + 1);
      for (let op = 0; op < OPS_PER_WRITER; op++) {
        const account = accountIds[next(ACCOUNTS)]!;
        const amount = 1 + next(5_000);
        const choice = next(100);
        if (index < 2 && choice < 15) {
          // Writers 0 and 1 toggle freezes on the first two accounts.
          const target = accountIds[index]!;
          await send('freezeAccount', { accountId: target, reason: 'chaos' });
          await send('unfreezeAccount', { accountId: target, reason: 'chaos' });
        } else if (choice < 40) {
          const result = await send('depositMoney', { accountId: account, amount: cents(amount) });
          if (result.__typename === 'AccountCommandSuccess') deposited += amount;
        } else if (choice < 65) {
          const result = await send('withdrawMoney', { accountId: account, amount: cents(amount) });
          if (result.__typename === 'AccountCommandSuccess') withdrawn += amount;
        } else {
          const to = next(10) === 0 ? euro : accountIds[next(ACCOUNTS)]!;
          if (to === account) continue;
          const result = await send('transferMoney', {
            fromAccountId: account,
            toAccountId: to,
            amount: cents(amount),
          });
          if (result.__typename === 'TransferSuccess') transferIds.push(result.transfer.id);
        }
      }
    }

    async function killer(): Promise<number> {
      const total = WRITERS * OPS_PER_WRITER;
      let kills = 0;
      for (let k = 1; k <= KILLS; k++) {
        // Kill on the writers' progress, not on a timer.
        await acknowledgedReaches(Math.ceil((k * total) / (KILLS + 1)));
        let restarted!: () => void;
        serverUp = new Promise((resolve) => {
          restarted = resolve;
        });
        await server.kill();
        kills++;
        server = await startServerProcess(env);
        restarted();
      }
      return kills;
    }

    const [kills] = await Promise.all([
      killer(),
      ...Array.from({ length: WRITERS }, (_, i) => writer(i)),
    ]);
    expect(kills).toBe(KILLS);

    const models = readModels(mongo.db(mongoDb));
    try {
      await checkpointPasses(
        models.checkpoints,
        PROCESS_MANAGER_CHECKPOINT,
        await lastTransferSent(),
      );
      const report = await verifyLedger({ eventStore, models, waitMs: 60_000 });
      expect(report.differences).toEqual([]);

      const transfers = await models.transfers.find({ _id: { $in: transferIds } }).toArray();
      expect(transfers).toHaveLength(transferIds.length);
      expect(transfers.filter((t) => t.status === 'PENDING')).toEqual([]);

      const accounts = await models.accounts.find({ _id: { $in: accountIds } }).toArray();
      const balances = accounts.reduce((sum, account) => sum + Number(account.balance), 0);
      expect(balances, `conserved after ${retries} retries`).toBe(deposited - withdrawn);
      expect((await models.accounts.findOne({ _id: euro }))?.balance).toBe(0);
    } finally {
      await server.stop();
    }
  }, 600_000);
});
