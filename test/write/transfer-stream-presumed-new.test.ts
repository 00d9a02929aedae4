import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Tally } from '../../src/app.js';
import { settleTransfer } from '../../src/process/transfer-process-manager.js';
import { Ledger } from '../../src/write/ledger.js';
import { tellerRequest } from '../support/command-request.js';
import { eventsOf, openAccountOn } from '../support/ledger-streams.js';
import { startTestTally } from '../support/test-tally.js';

/**
 * transferMoney opens the transfer's stream without reading it first: the stream is new unless
 * the same request ran before, and the append's "no stream" expectation checks that. A retry,
 * or a stream another writer opened first, must still be recognised: nothing twice.
 */
let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally({ runProcessManager: false });
});
afterAll(async () => {
  await tally?.close();
});

/** The streams `ledger`'s event store client was asked to read while `run` ran. */
async function streamsReadDuring(run: () => Promise<unknown>): Promise<string[]> {
  const spy = vi.spyOn(tally.eventStore, 'readStream');
  try {
    await run();
    return spy.mock.calls.map(([stream]) => String(stream));
  } finally {
    spy.mockRestore();
  }
}

describe('a transfer opens its stream without reading it', () => {
  it('reads no transfer stream, and the transfer is initiated once', async () => {
    const ledger = new Ledger(tally.eventStore);
    const source = await openAccountOn(ledger, '10.00');
    const target = await openAccountOn(ledger);
    let transferId = '';
    const read = await streamsReadDuring(async () => {
      const result = await ledger.transferMoney(
        { fromAccountId: source, toAccountId: target, amount: '2.50' },
        tellerRequest(),
      );
      transferId = result.transfer.id;
    });
    expect(read.filter((stream) => stream.startsWith('transfer-'))).toEqual([]);
    const events = await eventsOf(tally.eventStore, `transfer-${transferId}`);
    expect(events.map((e) => e.type)).toEqual(['TransferInitiated']);
  });

  it('a keyed retry through a ledger that never saw it returns the same transfer, initiated once', async () => {
    const first = new Ledger(tally.eventStore);
    const source = await openAccountOn(first, '10.00');
    const target = await openAccountOn(first);
    const input = { fromAccountId: source, toAccountId: target, amount: '3.00' };
    const original = await first.transferMoney(input, tellerRequest('same-transfer'));
    // Another instance (an empty cache) gets the same request again.
    const retried = await new Ledger(tally.eventStore).transferMoney(
      input,
      tellerRequest('same-transfer'),
    );
    expect(retried.transfer.id).toBe(original.transfer.id);
    expect(retried.position).toEqual(original.position);
    const events = await eventsOf(tally.eventStore, `transfer-${original.transfer.id}`);
    expect(events.map((e) => e.type)).toEqual(['TransferInitiated']);
    const debits = (await eventsOf(tally.eventStore, `account-${source}`)).filter(
      (e) => e.type === 'TransferSent',
    );
    expect(debits).toHaveLength(1);
  });

  it('a stream the process manager opened first is recognised, not opened again', async () => {
    const mutationSide = new Ledger(tally.eventStore);
    const source = await openAccountOn(mutationSide, '10.00');
    const target = await openAccountOn(mutationSide);
    const input = { fromAccountId: source, toAccountId: target, amount: '1.25' };
    const first = await mutationSide.transferMoney(input, tellerRequest('pm-first'));
    // The process manager of another instance settles it; then the client retries here.
    const [sent] = (await eventsOf(tally.eventStore, `account-${source}`)).filter(
      (e) => e.type === 'TransferSent',
    );
    await settleTransfer(new Ledger(tally.eventStore), sent!);
    const retried = await new Ledger(tally.eventStore).transferMoney(
      input,
      tellerRequest('pm-first'),
    );
    expect(retried.transfer.id).toBe(first.transfer.id);
    const types = (await eventsOf(tally.eventStore, `transfer-${first.transfer.id}`)).map(
      (e) => e.type,
    );
    expect(types.filter((t) => t === 'TransferInitiated')).toHaveLength(1);
    expect(types).toContain('TransferCompleted');
  });
});
