import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { liveCounters } from '../../src/live/live-counters.js';
import { capturingLogger, WARN_LEVEL } from '../read/parking-support.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { DEPOSIT } from '../support/operations.js';
import { subscribeOverSse } from '../support/sse.js';
import { graphql, startTestTally } from '../support/test-tally.js';

const ACTIVITY = `subscription ($id: ID!, $after: Int) {
  accountActivity(accountId: $id, afterRevision: $after) { amount { amount } revision description }
}`;
/**
 * Long descriptions make each update big, so the few kilobytes yoga's response stream buffers
 * ahead of the client fill after a few dozen updates, and the subscriber's own queue then fills.
 */
const LONG_DESCRIPTION = 'x'.repeat(500);
const BALANCE_CHANGED = `subscription ($id: ID!) {
  balanceChanged(accountId: $id) { balance { amount } revision }
}`;

/** A tiny bound, so a handful of updates queued behind yoga's buffer is already too many. */
const BOUND = 3;
const DEPOSITS = 60;
/** The other account gets a deposit every few of the slow one's. */
const FAST_EVERY = 4;
const FAST_DEPOSITS = DEPOSITS / FAST_EVERY;

let tally: Tally;
const log = capturingLogger();
beforeAll(async () => {
  tally = await startTestTally({ logger: log.logger });
  tally.live.transactions.maxPendingPerSubscriber = BOUND;
  tally.live.accounts.maxPendingPerSubscriber = BOUND;
});
afterAll(async () => {
  await tally?.close();
});

describe('a subscriber that stops reading', () => {
  it('is dropped with an error it resumes from, while a subscriber of another account misses nothing', async () => {
    const slowAccount = await openAccount(tally, { initialDeposit: '1.00' });
    const fastAccount = await openAccount(tally, { initialDeposit: '1.00' });
    await tally.projector.progress.waitFor(BigInt(fastAccount.position), 5000);
    const droppedBefore = liveCounters.slowSubscribersDropped;

    // Replays revision 1, which proves it listens; after that it never reads until the end.
    const slow = subscribeOverSse(tally, ACTIVITY, { id: slowAccount.accountId, after: 0 });
    expect((await slow.next()).data.accountActivity.revision).toBe(1);
    const fast = subscribeOverSse(tally, BALANCE_CHANGED, { id: fastAccount.accountId });
    expect((await fast.next()).data.balanceChanged.revision).toBe(1);

    // The other subscriber reads as updates come.
    const fastUpdates = fast.take(FAST_DEPOSITS);
    for (let i = 1; i <= DEPOSITS; i++) {
      await graphql(tally, DEPOSIT, {
        input: { accountId: slowAccount.accountId, amount: '1.00', description: LONG_DESCRIPTION },
      });
      if (i % FAST_EVERY === 0) {
        await deposit(tally, fastAccount.accountId, `${i / FAST_EVERY}.00`);
      }
    }

    // Every update of the other account, in order, while the slow one is stuck.
    const updates = (await fastUpdates).map((u) => u.data.balanceChanged);
    let balance = 100;
    expect(updates).toEqual(
      Array.from({ length: FAST_DEPOSITS }, (_, i) => {
        balance += (i + 1) * 100;
        return { balance: { amount: (balance / 100).toFixed(2) }, revision: i + 2 };
      }),
    );

    // The slow one reads what was queued for it, then an error naming where to resume.
    const received: number[] = [];
    let dropped: { message: string; extensions?: Record<string, unknown> } | undefined;
    while (!dropped) {
      const message = await slow.next();
      if (message.errors) dropped = message.errors[0];
      else received.push(message.data.accountActivity.revision);
    }
    expect(dropped.extensions).toMatchObject({ code: 'SUBSCRIBER_TOO_SLOW' });
    expect(dropped.message).toMatch(/fell more than 3 updates behind/);
    const resumeAfter = dropped.extensions?.afterRevision as number;
    // In order and gapless up to the error, which names the last revision received.
    expect(received).toEqual(Array.from({ length: received.length }, (_, i) => i + 2));
    expect(resumeAfter).toBe(received.at(-1) ?? 1);
    expect(resumeAfter).toBeLessThan(DEPOSITS + 1);
    await expect(slow.next()).rejects.toThrow('subscription ended');
    expect(liveCounters.slowSubscribersDropped).toBe(droppedBefore + 1);
    expect(log.lines.filter((l) => l.level === WARN_LEVEL && /too slow/.test(l.msg))).toHaveLength(
      1,
    );

    // Resuming after the last revision it got delivers the rest: no gap, no duplicate.
    const resumed = subscribeOverSse(tally, ACTIVITY, {
      id: slowAccount.accountId,
      after: resumeAfter,
    });
    const rest = await resumed.take(DEPOSITS + 1 - resumeAfter);
    expect(rest.map((r) => r.data.accountActivity.revision)).toEqual(
      Array.from({ length: DEPOSITS + 1 - resumeAfter }, (_, i) => resumeAfter + 1 + i),
    );

    // The shared stream still serves everyone: a new update reaches both live subscribers.
    await deposit(tally, fastAccount.accountId, '1.00');
    await deposit(tally, slowAccount.accountId, '1.00');
    expect((await fast.next()).data.balanceChanged.revision).toBe(FAST_DEPOSITS + 2);
    expect((await resumed.next()).data.accountActivity.revision).toBe(DEPOSITS + 2);
    fast.close();
    resumed.close();
    slow.close();
  });
});
