import { START } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { rootLogger } from '../../src/logger.js';
import {
  createTransferProcessManager,
  settleTransfer,
} from '../../src/process/transfer-process-manager.js';
import { CheckpointStore } from '../../src/read/checkpoint-store.js';
import { type RecordedEvent, toRecordedEvent } from '../../src/read/recorded-event.js';
import { Ledger } from '../../src/write/ledger.js';
import { openAccount } from '../support/ledger-client.js';
import { ACCOUNT, CLOSE, FREEZE, TRANSFER } from '../support/operations.js';
import { endOfAll } from '../support/settlement.js';
import { graphql, startTestTally } from '../support/test-tally.js';

let tally: Tally;
beforeAll(async () => {
  // No process manager: this test plays its crashes and its restart by hand.
  tally = await startTestTally({ runProcessManager: false });
});
afterAll(async () => {
  await tally?.close();
});

class Crash extends Error {}

/** A ledger that dies right after its Nth write is acknowledged, as a killed process would. */
class CrashingLedger extends Ledger {
  writes = 0;
  constructor(
    client: Tally['eventStore'],
    private readonly crashAfter: number,
  ) {
    super(client);
  }
  override async onAccount(...args: Parameters<Ledger['onAccount']>) {
    const outcome = await super.onAccount(...args);
    if (++this.writes >= this.crashAfter) throw new Crash();
    return outcome;
  }
  override async onTransfer(...args: Parameters<Ledger['onTransfer']>) {
    const outcome = await super.onTransfer(...args);
    if (++this.writes >= this.crashAfter) throw new Crash();
    return outcome;
  }
}

async function transferSentEvents(transferIds: Set<string>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const resolved of tally.eventStore.readAll({ fromPosition: START })) {
    const event = resolved.event;
    if (event?.type !== 'TransferSent' || !event.isJson) continue;
    const recorded = toRecordedEvent(event as never);
    if (transferIds.has((recorded.data as { transferId: string }).transferId))
      events.push(recorded);
  }
  return events;
}

async function countInStream(stream: string, type: string): Promise<number> {
  let count = 0;
  for await (const resolved of tally.eventStore.readStream(stream)) {
    if (resolved.event?.type === type) count++;
  }
  return count;
}

describe('transfer process manager after a crash', () => {
  it('killed between debit and credit at every step, then restarted: every transfer finishes once', async () => {
    const source = await openAccount(tally, { initialDeposit: '100.00' });
    const target = await openAccount(tally);
    const frozen = await openAccount(tally);
    await graphql(tally, FREEZE, { input: { accountId: frozen.accountId, reason: 'audit' } });
    const ids = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const toAccountId = i % 2 === 0 ? target.accountId : frozen.accountId;
      const sent = await graphql(tally, TRANSFER, {
        input: { fromAccountId: source.accountId, toAccountId, amount: '5.00' },
      });
      ids.add(sent.data?.transferMoney.transfer.id);
    }
    const events = await transferSentEvents(ids);
    expect(events).toHaveLength(8);

    // First life: each transfer's settlement dies after one of its steps.
    for (const [index, event] of events.entries()) {
      // Even transfers complete (4 steps: initiate, receive, complete, confirm delivery); odd ones
      // are refused by the frozen target (3 steps: initiate, reject, refund). Die at each step.
      const step = Math.floor(index / 2);
      const crashing = new CrashingLedger(
        tally.eventStore,
        index % 2 === 0 ? (step % 4) + 1 : (step % 3) + 1,
      );
      await expect(settleTransfer(crashing, event)).rejects.toBeInstanceOf(Crash);
    }

    // Second life: a fresh process manager with no checkpoint replays every TransferSent.
    const manager = createTransferProcessManager(
      tally.eventStore,
      new Ledger(tally.eventStore),
      new CheckpointStore(tally.models.checkpoints),
      rootLogger,
    );
    await manager.start();
    expect(await manager.progress.waitFor(events.at(-1)!.position.commit, 20_000)).toBe(true);
    await manager.stop();

    expect(await countInStream(`account-${target.accountId}`, 'TransferReceived')).toBe(4);
    expect(await countInStream(`account-${source.accountId}`, 'TransferRefunded')).toBe(4);
    expect(await countInStream(`account-${source.accountId}`, 'TransferDelivered')).toBe(4);
    for (const transferId of ids) {
      const settled =
        (await countInStream(`transfer-${transferId}`, 'TransferCompleted')) +
        (await countInStream(`transfer-${transferId}`, 'TransferRejected'));
      expect(settled, transferId).toBe(1);
    }
    expect(await tally.projector.progress.waitFor(await endOfAll(tally), 10_000)).toBe(true);
    const balances: string[] = [];
    for (const { accountId } of [source, target, frozen]) {
      const read = await graphql(tally, ACCOUNT, { id: accountId });
      balances.push(read.data?.account.balance.amount);
    }
    expect(balances).toEqual(['80.00', '20.00', '0.00']);
  });

  it('an account cannot close while a transfer it sent is in flight, and can once it settles', async () => {
    const source = await openAccount(tally, { initialDeposit: '5.00' });
    const target = await openAccount(tally);
    const sent = await graphql(tally, TRANSFER, {
      input: { fromAccountId: source.accountId, toAccountId: target.accountId, amount: '5.00' },
    });
    expect(sent.data?.transferMoney.__typename).toBe('TransferSuccess');
    const early = await graphql(tally, CLOSE, {
      input: { accountId: source.accountId, reason: 'leaving' },
    });
    expect(early.data?.closeAccount).toMatchObject({
      __typename: 'ValidationError',
      field: 'accountId',
      message: expect.stringMatching(/in flight/),
    });

    const [event] = await transferSentEvents(new Set([sent.data?.transferMoney.transfer.id]));
    await settleTransfer(new Ledger(tally.eventStore), event!);
    const closed = await graphql(tally, CLOSE, {
      input: { accountId: source.accountId, reason: 'leaving' },
    });
    expect(closed.data?.closeAccount.account.status).toBe('CLOSED');
  });

  it('a credit made after an outage is dated when the money arrived, not when it was sent', async () => {
    const source = await openAccount(tally, { initialDeposit: '2.00' });
    const target = await openAccount(tally);
    const sent = await graphql(tally, TRANSFER, {
      input: { fromAccountId: source.accountId, toAccountId: target.accountId, amount: '2.00' },
    });
    const [event] = await transferSentEvents(new Set([sent.data?.transferMoney.transfer.id]));
    const arrival = new Date(Date.parse(event!.metadata.occurredAt) + 3_600_000);
    await settleTransfer(new Ledger(tally.eventStore), event!, () => arrival);
    const received = [];
    for await (const resolved of tally.eventStore.readStream(`account-${target.accountId}`)) {
      if (resolved.event?.type === 'TransferReceived') received.push(resolved.event);
    }
    expect(received).toHaveLength(1);
    expect((received[0]!.metadata as { occurredAt: string }).occurredAt).toBe(
      arrival.toISOString(),
    );
  });
});
