import { randomUUID } from 'node:crypto';
import { START } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { rootLogger } from '../../src/logger.js';
import { settleTransfer } from '../../src/process/settle-transfer.js';
import {
  createTransferProcessManager,
  PROCESS_MANAGER_CHECKPOINT,
} from '../../src/process/transfer-process-manager.js';
import { CheckpointStore } from '../../src/read/checkpoint-store.js';
import { type RecordedEvent, toRecordedEvent } from '../../src/read/recorded-event.js';
import { openAccount } from '../support/ledger-client.js';
import {
  ACCOUNT,
  DEPOSIT,
  FREEZE,
  OPEN_ACCOUNT,
  TRANSFER,
  TRANSFER_QUERY,
  UNFREEZE,
  WITHDRAW,
} from '../support/operations.js';
import { lastTransferSent, waitForSettlement } from '../support/settlement.js';
import { graphql, type Json, startTestTally } from '../support/test-tally.js';

/**
 * One test per defect an outside chaos run found on the ledger (issue 8). Each failed on the
 * code before the fix.
 */
let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally();
});
afterAll(async () => {
  await tally?.close();
});

async function eventTypes(stream: string): Promise<string[]> {
  const types: string[] = [];
  try {
    for await (const resolved of tally.eventStore.readStream(stream)) {
      if (resolved.event) types.push(resolved.event.type);
    }
  } catch (error) {
    if ((error as { type?: string }).type !== 'stream-not-found') throw error;
  }
  return types;
}

async function balance(accountId: string, consistentWith?: string): Promise<string> {
  const result = await graphql(tally, ACCOUNT, { id: accountId, consistentWith });
  return result.data?.account?.balance.amount;
}

/** Reads $all to its end: a read left early holds its call open, and dispose() waits for it. */
async function transferSent(transferId: string): Promise<RecordedEvent> {
  let found: RecordedEvent | undefined;
  for await (const resolved of tally.eventStore.readAll({ fromPosition: START })) {
    const event = resolved.event;
    if (event?.type !== 'TransferSent' || !event.isJson) continue;
    const recorded = toRecordedEvent(event as never);
    if ((recorded.data as { transferId: string }).transferId === transferId) found = recorded;
  }
  if (!found) throw new Error(`no TransferSent for ${transferId}`);
  return found;
}

async function transfer(input: Record<string, unknown>): Promise<Json> {
  const result = await graphql(tally, TRANSFER, { input });
  return result.data?.transferMoney;
}

describe('defect 1: a replayed transfer is refunded, never also credited', () => {
  it('replaying a refunded transfer after the target unfreezes credits nothing and later transfers still settle', async () => {
    // This test stops the process manager; the others need theirs.
    const shared = tally;
    tally = await startTestTally();
    try {
      await replayRefundedTransfer();
    } finally {
      await tally.close();
      tally = shared;
    }
  });
});

async function replayRefundedTransfer(): Promise<void> {
  {
    const source = await openAccount(tally, { initialDeposit: '100.00' });
    const target = await openAccount(tally);
    await graphql(tally, FREEZE, { input: { accountId: target.accountId, reason: 'audit' } });
    const sent = await transfer({
      fromAccountId: source.accountId,
      toAccountId: target.accountId,
      amount: '10.00',
    });
    await waitForSettlement(tally, await lastTransferSent(tally, source.accountId));
    const refunded = await graphql(tally, TRANSFER_QUERY, { id: sent.transfer.id });
    expect(refunded.data?.transfer.status).toBe('REFUNDED');
    await graphql(tally, UNFREEZE, { input: { accountId: target.accountId, reason: 'cleared' } });

    // The process manager sees the TransferSent again (checkpoint not yet durable at a crash).
    await settleTransfer(tally.services.ledger, await transferSent(sent.transfer.id));
    expect(await eventTypes(`account-${target.accountId}`)).not.toContain('TransferReceived');

    // A process manager restarted from scratch replays every transfer, then keeps settling.
    await tally.processManager!.stop();
    await tally.models.checkpoints.deleteOne({ _id: PROCESS_MANAGER_CHECKPOINT });
    const restarted = createTransferProcessManager(
      tally.eventStore,
      tally.services.ledger,
      new CheckpointStore(tally.models.checkpoints),
      rootLogger,
    );
    await restarted.start();
    try {
      const later = await transfer({
        fromAccountId: source.accountId,
        toAccountId: target.accountId,
        amount: '1.00',
      });
      const lastSent = await lastTransferSent(tally, source.accountId);
      expect(await restarted.progress.waitFor(lastSent, 30_000)).toBe(true);
      const settled = await graphql(tally, TRANSFER_QUERY, {
        id: later.transfer.id,
        consistentWith: String(await endOfTarget(target.accountId)),
      });
      expect(settled.data?.transfer.status).toBe('COMPLETED');
      expect(await balance(source.accountId)).toBe('99.00');
      expect(await balance(target.accountId)).toBe('1.00');
      expect(
        (await eventTypes(`account-${target.accountId}`)).filter((t) => t === 'TransferReceived'),
      ).toHaveLength(1);
    } finally {
      await restarted.stop();
    }
  }
}

async function endOfTarget(accountId: string): Promise<bigint> {
  let last = 0n;
  for await (const resolved of tally.eventStore.readStream(`account-${accountId}`)) {
    if (resolved.event?.position) last = resolved.event.position.commit;
  }
  return last;
}

describe('defect 2: a transfer key reused from another source debits nothing', () => {
  it('answers a ValidationError and leaves the second source untouched', async () => {
    const first = await openAccount(tally, { initialDeposit: '50.00' });
    const second = await openAccount(tally, { initialDeposit: '50.00' });
    const target = await openAccount(tally);
    const key = `transfer-${randomUUID()}`;
    const ok = await transfer({
      fromAccountId: first.accountId,
      toAccountId: target.accountId,
      amount: '5.00',
      idempotencyKey: key,
    });
    expect(ok.__typename).toBe('TransferSuccess');
    const reused = await transfer({
      fromAccountId: second.accountId,
      toAccountId: target.accountId,
      amount: '5.00',
      idempotencyKey: key,
    });
    expect(reused).toMatchObject({ __typename: 'ValidationError', field: 'idempotencyKey' });
    expect(await eventTypes(`account-${second.accountId}`)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
    ]);

    // The process manager still settles what comes after.
    const later = await transfer({
      fromAccountId: second.accountId,
      toAccountId: target.accountId,
      amount: '2.00',
    });
    await waitForSettlement(tally, await lastTransferSent(tally, second.accountId));
    const settled = await graphql(tally, TRANSFER_QUERY, { id: later.transfer.id });
    expect(settled.data?.transfer.status).toBe('COMPLETED');
    expect(await balance(second.accountId)).toBe('48.00');
    expect(await balance(target.accountId)).toBe('7.00');
  });
});

describe('defect 3: an idempotency key names one request, ledger-wide', () => {
  it('a deposit key reused on another account deposits nothing there', async () => {
    const a = await openAccount(tally);
    const b = await openAccount(tally);
    const key = randomUUID();
    const first = await graphql(tally, DEPOSIT, {
      input: { accountId: a.accountId, amount: '7', idempotencyKey: key },
    });
    expect(first.data?.depositMoney.__typename).toBe('AccountCommandSuccess');
    const reused = await graphql(tally, DEPOSIT, {
      input: { accountId: b.accountId, amount: '7', idempotencyKey: key },
    });
    expect(reused.data?.depositMoney).toMatchObject({
      __typename: 'ValidationError',
      field: 'idempotencyKey',
    });
    expect(await eventTypes(`account-${b.accountId}`)).toEqual(['AccountOpened']);
  });

  it('"7" and "7.00" under one key are the same request: the retry deposits once', async () => {
    const a = await openAccount(tally);
    const key = randomUUID();
    const first = await graphql(tally, DEPOSIT, {
      input: { accountId: a.accountId, amount: '7', idempotencyKey: key },
    });
    const retry = await graphql(tally, DEPOSIT, {
      input: { accountId: a.accountId, amount: '7.00', idempotencyKey: key },
    });
    expect(retry.data?.depositMoney).toEqual(first.data?.depositMoney);
    expect(await eventTypes(`account-${a.accountId}`)).toEqual(['AccountOpened', 'MoneyDeposited']);
  });

  it('a key used for a deposit cannot be reused for a withdrawal of the same account', async () => {
    const a = await openAccount(tally, { initialDeposit: '10.00' });
    const key = randomUUID();
    await graphql(tally, DEPOSIT, {
      input: { accountId: a.accountId, amount: '1.00', idempotencyKey: key },
    });
    const reused = await graphql(tally, WITHDRAW, {
      input: { accountId: a.accountId, amount: '1.00', idempotencyKey: key },
    });
    expect(reused.data?.withdrawMoney).toMatchObject({
      __typename: 'ValidationError',
      field: 'idempotencyKey',
    });
    expect(await eventTypes(`account-${a.accountId}`)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'MoneyDeposited',
    ]);
  });

  it('openAccount with one key and another account id opens nothing', async () => {
    const key = randomUUID();
    const ownerId = randomUUID();
    const first = await graphql(tally, OPEN_ACCOUNT, {
      input: { accountId: randomUUID(), ownerId, currency: 'USD', idempotencyKey: key },
    });
    expect(first.data?.openAccount.__typename).toBe('AccountCommandSuccess');
    const otherId = randomUUID();
    const reused = await graphql(tally, OPEN_ACCOUNT, {
      input: { accountId: otherId, ownerId, currency: 'USD', idempotencyKey: key },
    });
    expect(reused.data?.openAccount).toMatchObject({
      __typename: 'ValidationError',
      field: 'idempotencyKey',
    });
    expect(await eventTypes(`account-${otherId}`)).toEqual([]);
  });
});
