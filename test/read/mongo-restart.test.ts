import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedEventStore, startEmbeddedEventStore } from '@tally/eventstore-standin';
import { killHard, startMongoProcess } from '@tally/mongo-standin/process';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { CheckpointedSubscription } from '../../src/read/checkpointed-subscription.js';
import type { AccountDocument } from '../../src/read/documents.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { startTestTally } from '../support/test-tally.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-mongo-restart-'));
const children: ChildProcess[] = [];
let eventStore: EmbeddedEventStore | undefined;
let tally: Tally | undefined;
/** The background depositor runs while this is true (a failed step leaves it to afterAll). */
let writing = false;
afterAll(async () => {
  writing = false;
  await tally?.close();
  for (const child of children) await killHard(child);
  await eventStore?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * What the test's Tally logged (its restart detection, rewinds, retries), printed only when a
 * step fails: a timeout alone does not say what the projector was doing.
 */
const logLines: string[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });

/** What the read model must say about an account: the fold of its stream in the event store. */
async function foldOf(accountId: string) {
  let fold: Pick<AccountDocument, 'balance' | 'revision'> & { movements: number } = {
    balance: 0,
    revision: -1,
    movements: 0,
  };
  for await (const resolved of tally!.eventStore.readStream(`account-${accountId}`)) {
    const event = resolved.event!;
    const data = event.data as { balanceAfter?: number };
    fold = {
      balance: data.balanceAfter ?? fold.balance,
      revision: Number(event.revision),
      movements: fold.movements + (data.balanceAfter === undefined ? 0 : 1),
    };
  }
  return fold;
}

/**
 * Awaits one step of the scenario, failing with its name if it takes longer than `ms`: the test
 * has several waits that depend on the server restart, and a bare timeout would not say which.
 */
async function step<T>(name: string, work: Promise<T>, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } catch (error) {
    console.error(`${name} failed; the test's Tally logged:\n${logLines.join('')}`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

describe('the read models after their MongoDB server restarts', () => {
  it('rewind to the checkpoint MongoDB holds and converge to the event store fold of every account', async () => {
    // Its own event store, so the projector applies only this test's events: on the suite's
    // shared store it replays every other test's from position 0, and the timing of the
    // restart against that backlog was left to chance.
    eventStore = await step(
      'event store start',
      startEmbeddedEventStore({ host: '127.0.0.1', port: 0 }),
    );
    const first = await step('first MongoDB start', startMongoProcess(dir));
    children.push(first.child);
    const port = new URL(first.url.replace(/^mongodb:/, 'http:')).port;
    tally = await step(
      'Tally start',
      // The projector on the test's own thread, whose rewind the test listens for.
      startTestTally({
        eventStoreUrl: eventStore.url,
        mongoUrl: first.url,
        runProcessManager: false,
        projectorThread: false,
        logger,
      }),
    );

    const accounts = [];
    for (let i = 0; i < 4; i++)
      accounts.push((await openAccount(tally, { initialDeposit: '1.00' })).accountId);
    let last = 0n;
    for (let i = 0; i < 20; i++) {
      const result = await deposit(tally, accounts[i % accounts.length]!, `${i + 1}.00`);
      last = BigInt(result.position);
    }
    expect(await tally.projector.progress.waitFor(last, 10_000)).toBe(true);

    // The server dies the moment the last deposits were acknowledged, then comes back on the
    // same port and data directory, holding whatever it had made durable.
    const projector = tally.projector;
    if (!(projector instanceof CheckpointedSubscription))
      throw new Error('expected an in-thread projector');
    const rewound = once(projector, 'rewound');
    // Deposits go on while MongoDB is down and back (the write side needs only the event
    // store), so the projector is in the middle of batches when the server dies, as it is in
    // production under load, and not only idle.
    writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const result = await deposit(tally!, accounts[i % accounts.length]!, '1.00');
        last = BigInt(result.position);
      }
    })();
    expect(
      await step(
        'deposits while the projector applies them',
        tally.projector.progress.waitFor(last + 1n, 10_000),
      ),
    ).toBe(true);
    await step('SIGKILL of the first MongoDB', killHard(first.child));
    const second = await step('second MongoDB start', startMongoProcess(dir, ['--port', port]));
    children.push(second.child);
    const [{ to }] = (await step('the projector rewinding', rewound)) as [{ to: bigint }];
    writing = false;
    await step('the last deposit', writer);
    expect(to).toBeLessThanOrEqual(last);

    // Re-applied from the proven checkpoint: every account equals its stream's fold.
    expect(
      await step('re-applying to the last deposit', tally.projector.progress.waitFor(last, 30_000)),
    ).toBe(true);
    for (const accountId of accounts) {
      const fold = await foldOf(accountId);
      expect(await tally.models.accounts.findOne({ _id: accountId })).toMatchObject({
        balance: fold.balance,
        revision: fold.revision,
      });
      expect(await tally.models.transactions.countDocuments({ accountId })).toBe(fold.movements);
    }
  });
});
