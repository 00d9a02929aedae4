import { randomUUID } from 'node:crypto';
import { jsonEvent } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import type { AccountState } from '../../src/domain/account/index.js';
import { encodeState } from '../../src/events/state-codec.js';
import { commandIdForKey, deterministicId } from '../../src/write/envelope.js';
import { Ledger } from '../../src/write/ledger.js';
import { mayRepeat } from '../../src/write/load-stream.js';
import {
  accountSnapshots,
  SNAPSHOT_EVENT,
  type SnapshotStore,
  snapshotStreamOf,
} from '../../src/write/snapshots.js';
import { tellerRequest } from '../support/command-request.js';
import { startTestTally } from '../support/test-tally.js';

let tally: Tally;
let snapshots: SnapshotStore<AccountState>;
beforeAll(async () => {
  tally = await startTestTally({ runProcessManager: false });
  snapshots = accountSnapshots(tally.eventStore, { every: 5 });
});
afterAll(async () => {
  await tally?.close();
});

const request = tellerRequest;

/** A Ledger as it is after a restart: nothing cached, only the stores. */
const restarted = () => new Ledger(tally.eventStore, snapshots);

/** Given an account with `deposits` deposits of 1.00 made through a ledger that snapshots. */
async function accountWith(deposits: number, firstKey?: string) {
  const ledger = restarted();
  const { account } = await ledger.openAccount(
    { ownerId: randomUUID(), currency: 'USD' },
    request(),
  );
  for (let i = 0; i < deposits; i++) {
    await ledger.depositMoney(
      { accountId: account.id, amount: '1.00' },
      request(i === 0 ? firstKey : undefined),
    );
  }
  await snapshots.settled();
  return account.id;
}

/** Appends a snapshot as a (possibly older, or broken) Tally would have written it. */
async function forgeSnapshot(accountId: string, fields: Record<string, unknown>) {
  const stream = `account-${accountId}`;
  const newest = await snapshots.newest(stream);
  await tally.eventStore.appendToStream(
    snapshotStreamOf(stream),
    jsonEvent({
      type: SNAPSHOT_EVENT,
      data: {
        stateSchemaVersion: 1,
        revision: newest!.revision,
        occurredAt: newest!.occurredAt,
        eventId: newest!.eventId,
        state: encodeState(newest!.state),
        ...fields,
      },
    }),
  );
}

describe('snapshots', () => {
  it('trust only commands that cannot come again: ids derived from keys or steps may', () => {
    expect(mayRepeat(deterministicId('transfer:x:receive'))).toBe(true);
    expect(mayRepeat(commandIdForKey('teller-tess', 'key-1'))).toBe(true);
    expect(mayRepeat(randomUUID())).toBe(false);
    expect(mayRepeat('')).toBe(false);
  });

  it('round-trip: a restarted ledger loads the newest snapshot and the events after it', async () => {
    const accountId = await accountWith(12);
    const newest = await snapshots.newest(`account-${accountId}`);
    // Every 5 events: the opening and 12 deposits are revisions 0 to 12.
    expect(newest?.revision).toBe(9);
    expect(newest?.state).toMatchObject({ balance: 900, transfersInFlight: new Set() });

    const after = await restarted().depositMoney({ accountId, amount: '1.00' }, request());
    expect(after).toMatchObject({ revision: 13, account: { balance: 1300 } });
  });

  it('is what loading starts from: the events it summarises are not read again', async () => {
    // Revisions 0 to 4: the snapshot at 4 is the newest event.
    const accountId = await accountWith(4);
    const newest = await snapshots.newest(`account-${accountId}`);
    expect(newest?.revision).toBe(4);
    // A snapshot that says the balance was 1,000,000.00: only a load that trusts it shows it.
    await forgeSnapshot(accountId, {
      state: encodeState({ ...newest!.state, balance: 100_000_000 }),
    });
    const after = await restarted().depositMoney({ accountId, amount: '1.00' }, request());
    expect(after).toMatchObject({ revision: 5, account: { balance: 100_000_100 } });
  });

  it('one of an older state shape, another version, or one that does not parse is ignored: the stream is folded whole', async () => {
    for (const broken of [
      { state: encodeState({ exists: true, balance: 1 }) },
      { stateSchemaVersion: 0, state: encodeState({ balance: 1 }) },
      { state: { $t: 'Frobnicated', v: [] } },
      { revision: 'nine' },
    ]) {
      const accountId = await accountWith(6);
      await forgeSnapshot(accountId, broken);
      const after = await restarted().depositMoney({ accountId, amount: '1.00' }, request());
      expect(after, JSON.stringify(broken)).toMatchObject({
        revision: 7,
        account: { balance: 700 },
      });
    }
  });

  it('a retried command from before the snapshot is still recognised, and appends nothing', async () => {
    const key = randomUUID();
    const accountId = await accountWith(11, key);
    expect((await snapshots.newest(`account-${accountId}`))?.revision).toBe(9);

    const retry = await restarted().depositMoney({ accountId, amount: '1.00' }, request(key));
    // The first outcome (revision 1, balance 1.00) and not a twelfth deposit.
    expect(retry).toMatchObject({ revision: 1, account: { balance: 100 } });
    const next = await restarted().depositMoney({ accountId, amount: '1.00' }, request());
    expect(next).toMatchObject({ revision: 12, account: { balance: 1200 } });
  });
});
