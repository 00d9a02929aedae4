import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { settleTransfer } from '../../src/process/transfer-process-manager.js';
import { Ledger } from '../../src/write/ledger.js';
import { tellerRequest } from '../support/command-request.js';
import { eventsOf, openAccountOn } from '../support/ledger-streams.js';
import { startTestTally } from '../support/test-tally.js';

/**
 * The fold cache remembers only the newest commands of each stream (FOLD_CACHE_COMMANDS_PER_STREAM),
 * so a hot account no longer grows memory without bound. A command older than that window that
 * comes again must still be recognised: nothing is appended twice.
 */
let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally({ runProcessManager: false });
});
afterAll(async () => {
  await tally?.close();
});

const request = tellerRequest;

/** A ledger whose caches remember two commands per stream. */
const smallCacheLedger = () =>
  new Ledger(tally.eventStore, undefined, { maxStreams: 10, maxCommandsPerStream: 2 });

describe('fold cache bounds', () => {
  it('a transfer step replayed after the cache forgot it credits nothing twice', async () => {
    const ledger = smallCacheLedger();
    const source = await openAccountOn(ledger, '100.00');
    const target = await openAccountOn(ledger);
    for (let i = 0; i < 6; i++) {
      await ledger.transferMoney(
        { fromAccountId: source, toAccountId: target, amount: '1.00' },
        request(),
      );
    }
    const sent = (await eventsOf(tally.eventStore, `account-${source}`)).filter(
      (e) => e.type === 'TransferSent',
    );
    expect(sent).toHaveLength(6);
    for (const event of sent) await settleTransfer(ledger, event);
    // Every step again, oldest first, through the same (forgetful) cache and through a new one.
    for (const event of sent) await settleTransfer(ledger, event);
    for (const event of sent) await settleTransfer(smallCacheLedger(), event);

    const received = (await eventsOf(tally.eventStore, `account-${target}`)).filter(
      (e) => e.type === 'TransferReceived',
    );
    expect(received).toHaveLength(6);
    const after = await ledger.depositMoney({ accountId: target, amount: '0.50' }, request());
    expect(after.account.balance).toBe(650);
    const sourceAfter = await ledger.depositMoney({ accountId: source, amount: '0.01' }, request());
    expect(sourceAfter.account.balance).toBe(9401);
    expect(sourceAfter.account.transfersInFlight.size).toBe(0);
  });

  it('a keyed deposit retried after the cache forgot it returns its first result, once', async () => {
    const ledger = smallCacheLedger();
    const account = await openAccountOn(ledger);
    const first = await ledger.depositMoney({ accountId: account, amount: '5.00' }, request('k-1'));
    for (let i = 0; i < 5; i++) {
      await ledger.depositMoney({ accountId: account, amount: '1.00' }, request(`k-next-${i}`));
    }
    const retry = await ledger.depositMoney({ accountId: account, amount: '5.00' }, request('k-1'));
    expect(retry.revision).toBe(first.revision);
    expect(retry.position).toEqual(first.position);
    const deposits = (await eventsOf(tally.eventStore, `account-${account}`)).filter(
      (e) => e.type === 'MoneyDeposited',
    );
    expect(deposits).toHaveLength(6);
    // A new key on the forgetful stream is a new deposit.
    const next = await ledger.depositMoney({ accountId: account, amount: '1.00' }, request('k-2'));
    expect(next.account.balance).toBe(1100);
  });

  it('two requests with one key at once append once, whatever the cache remembers', async () => {
    const ledger = smallCacheLedger();
    const account = await openAccountOn(ledger);
    const key = `k-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        ledger.depositMoney({ accountId: account, amount: '2.00' }, request(key)),
      ),
    );
    expect(new Set(results.map((r) => r.revision)).size).toBe(1);
    const deposits = (await eventsOf(tally.eventStore, `account-${account}`)).filter(
      (e) => e.type === 'MoneyDeposited',
    );
    expect(deposits).toHaveLength(1);
  });
});
