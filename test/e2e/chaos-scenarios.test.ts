import { randomUUID } from 'node:crypto';
import { BACKWARDS, END, EventStoreDBClient } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { PROCESS_MANAGER_CHECKPOINT } from '../../src/process/transfer-process-manager.js';
import type { CheckpointDocument } from '../../src/read/documents.js';
import { checkpointPasses, lastTransferSentIn } from '../support/process-manager-checkpoint.js';
import { freePort, startServerProcess } from '../support/server-process.js';
import type { Json } from '../support/test-tally.js';
import { authorizationFor, TEST_JWT_SECRET } from '../support/tokens.js';

// Each test starts real server processes (tsx compiles the sources on start): slow on a busy
// machine, so these get more time than the suite's default.
vi.setConfig({ testTimeout: 120_000 });

/**
 * The scenarios the outside chaos run used (issue 8), end to end through the real server
 * process over HTTP: a refunded transfer replayed after the target is unfrozen, and
 * idempotency keys reused on other accounts and other transfer sources.
 */
let mongo: MongoClient;
let eventStore: EventStoreDBClient;
beforeAll(async () => {
  mongo = await new MongoClient(inject('mongoUrl')).connect();
  eventStore = EventStoreDBClient.connectionString(inject('eventStoreUrl'));
});
afterAll(async () => {
  await mongo?.close();
  await eventStore?.dispose();
});

const ERRORS = `__typename ... on ValidationError { field } ... on Error { message }`;
const ACCOUNT_RESULT = `${ERRORS} ... on AccountCommandSuccess { account { id balance { amount } } position }`;
const TRANSFER_RESULT = `${ERRORS} ... on TransferSuccess { transfer { id status } position }`;

async function serverOnFreshDatabase() {
  const port = await freePort();
  const mongoDb = `test_e2e_${randomUUID().slice(0, 8)}`;
  const env = {
    PORT: String(port),
    EVENTSTORE_URL: inject('eventStoreUrl'),
    MONGODB_URL: inject('mongoUrl'),
    MONGODB_DB: mongoDb,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
  };
  const authorization = await authorizationFor('admin');
  const call = async (field: string, inputType: string, input: Record<string, unknown>) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        query: `mutation ($input: ${inputType}!) { ${field}(input: $input) { ${field === 'transferMoney' ? TRANSFER_RESULT : ACCOUNT_RESULT} } }`,
        variables: { input },
      }),
    });
    const body = (await response.json()) as { data?: Json; errors?: Json };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data[field];
  };
  const query = async (document: string, variables: Record<string, unknown>) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: document, variables }),
    });
    return ((await response.json()) as { data?: Json }).data;
  };
  const open = async (initialDeposit?: string) =>
    (
      await call('openAccount', 'OpenAccountInput', {
        ownerId: randomUUID(),
        currency: 'USD',
        ...(initialDeposit ? { initialDeposit } : {}),
      })
    ).account.id as string;
  return { env, mongoDb, call, query, open, server: await startServerProcess(env) };
}

const TRANSFER = `query ($id: ID!, $at: Position) { transfer(id: $id, consistentWith: $at) { status } }`;
const BALANCE = `query ($id: ID!, $at: Position) { account(id: $id, consistentWith: $at) { balance { amount } } }`;

/**
 * Waits until the server's process manager has settled the transfers a source sent (its stored
 * checkpoint passes the source's last TransferSent), then reads the transfer at the head.
 */
async function settledStatus(
  ledger: Awaited<ReturnType<typeof serverOnFreshDatabase>>,
  source: string,
  transferId: string,
): Promise<string> {
  const checkpoints = mongo.db(ledger.mongoDb).collection<CheckpointDocument>('checkpoints');
  await checkpointPasses(
    checkpoints,
    PROCESS_MANAGER_CHECKPOINT,
    await lastTransferSentIn(eventStore, source),
  );
  const at = String(await endOfAll());
  return (await ledger.query(TRANSFER, { id: transferId, at })).transfer.status;
}

async function endOfAll(): Promise<bigint> {
  let end = 0n;
  for await (const resolved of eventStore.readAll({
    direction: BACKWARDS,
    fromPosition: END,
    maxCount: 1,
  })) {
    if (resolved.event) end = resolved.event.position.commit;
  }
  return end;
}

describe('the chaos run, through the real server process', () => {
  it('a refunded transfer replayed after the target is unfrozen credits nothing, and later transfers settle', async () => {
    const ledger = await serverOnFreshDatabase();
    let { server } = ledger;
    try {
      const source = await ledger.open('100.00');
      const target = await ledger.open();
      await ledger.call('freezeAccount', 'AccountStatusInput', {
        accountId: target,
        reason: 'audit',
      });
      const sent = await ledger.call('transferMoney', 'TransferMoneyInput', {
        fromAccountId: source,
        toAccountId: target,
        amount: '10.00',
      });
      expect(await settledStatus(ledger, source, sent.transfer.id)).toBe('REFUNDED');
      const unfrozen = await ledger.call('unfreezeAccount', 'AccountStatusInput', {
        accountId: target,
        reason: 'cleared',
      });

      // A crash before the process manager's checkpoint reached the disk: it replays everything.
      await server.kill();
      await mongo
        .db(ledger.mongoDb)
        .collection<{ _id: string }>('checkpoints')
        .deleteOne({ _id: PROCESS_MANAGER_CHECKPOINT });
      server = await startServerProcess(ledger.env);

      const later = await ledger.call('transferMoney', 'TransferMoneyInput', {
        fromAccountId: source,
        toAccountId: target,
        amount: '1.00',
      });
      expect(await settledStatus(ledger, source, later.transfer.id)).toBe('COMPLETED');
      const at = String(await endOfAll());
      expect((await ledger.query(BALANCE, { id: target, at })).account.balance.amount).toBe('1.00');
      expect((await ledger.query(BALANCE, { id: source, at })).account.balance.amount).toBe(
        '99.00',
      );
      expect(unfrozen.__typename).toBe('AccountCommandSuccess');
    } finally {
      await server.stop();
    }
  });

  it('a key reused on another account or another transfer source writes nothing', async () => {
    const ledger = await serverOnFreshDatabase();
    try {
      const a = await ledger.open('50.00');
      const b = await ledger.open('50.00');
      const target = await ledger.open();
      const depositKey = randomUUID();
      const first = await ledger.call('depositMoney', 'DepositMoneyInput', {
        accountId: a,
        amount: '7',
        idempotencyKey: depositKey,
      });
      expect(first.account.balance.amount).toBe('57.00');
      const elsewhere = await ledger.call('depositMoney', 'DepositMoneyInput', {
        accountId: b,
        amount: '7',
        idempotencyKey: depositKey,
      });
      expect(elsewhere).toMatchObject({ __typename: 'ValidationError', field: 'idempotencyKey' });
      const retry = await ledger.call('depositMoney', 'DepositMoneyInput', {
        accountId: a,
        amount: '7.00',
        idempotencyKey: depositKey,
      });
      expect(retry).toEqual(first);

      const transferKey = randomUUID();
      const sent = await ledger.call('transferMoney', 'TransferMoneyInput', {
        fromAccountId: a,
        toAccountId: target,
        amount: '5.00',
        idempotencyKey: transferKey,
      });
      expect(sent.__typename).toBe('TransferSuccess');
      const otherSource = await ledger.call('transferMoney', 'TransferMoneyInput', {
        fromAccountId: b,
        toAccountId: target,
        amount: '5.00',
        idempotencyKey: transferKey,
      });
      expect(otherSource).toMatchObject({ __typename: 'ValidationError', field: 'idempotencyKey' });
      expect(await settledStatus(ledger, a, sent.transfer.id)).toBe('COMPLETED');
      const at = String(await endOfAll());
      expect((await ledger.query(BALANCE, { id: b, at })).account.balance.amount).toBe('50.00');
      expect((await ledger.query(BALANCE, { id: a, at })).account.balance.amount).toBe('52.00');
    } finally {
      await ledger.server.stop();
    }
  });
});
