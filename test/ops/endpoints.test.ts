import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Tally } from '../../src/app.js';
import { openAccount } from '../support/ledger-client.js';
import { ACCOUNT, TRANSFER } from '../support/operations.js';
import { endOfAll, lastTransferSent, waitForSettlement } from '../support/settlement.js';
import { graphql, startTestTally } from '../support/test-tally.js';

/** A Tally for one test, closed when it ends, so no other test's writes reach the next one. */
async function start(...args: Parameters<typeof startTestTally>) {
  const tally = await startTestTally(...args);
  onTestFinished(() => tally.close());
  return tally;
}

const get = (tally: Tally, path: string) => tally.yoga.fetch(`http://tally.test${path}`);

describe('what an operator sees', () => {
  it('health answers 200; ready is 200 once every projection and the process manager have caught up', async () => {
    const tally = await start();
    const { accountId: from, position } = await openAccount(tally, { initialDeposit: '50.00' });
    const { accountId: to } = await openAccount(tally);
    const sent = await graphql(tally, TRANSFER, {
      input: { fromAccountId: from, toAccountId: to, amount: '5.00' },
    });
    expect(sent.data?.transferMoney.__typename).toBe('TransferSuccess');
    await waitForSettlement(tally, await lastTransferSent(tally, from));
    expect(position).toBeTruthy();

    expect((await get(tally, '/health')).status).toBe(200);
    const ready = await get(tally, '/ready');
    const report = await ready.json();
    expect(ready.status, JSON.stringify(report)).toBe(200);
    expect(report.ready).toBe(true);
    expect(report.stores).toEqual({ eventStore: 'up', mongo: 'up' });
    expect(report.consumers.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining([
        'accounts',
        'ledgerIntegrity',
        'transactions',
        'transfer-process-manager',
        'transfers',
      ]),
    );
    for (const consumer of report.consumers) expect(consumer.lagEvents).toBe(0);
  });

  it('ready is 503 naming the process manager when it has not applied a transfer for longer than READY_MAX_LAG_MS', async () => {
    // The process manager is off, and the clock a minute ahead: the transfer waits "a minute".
    const tally = await start({
      runProcessManager: false,
      clock: () => new Date(Date.now() + 60_000),
    });
    const { accountId: from } = await openAccount(tally, { initialDeposit: '50.00' });
    const { accountId: to } = await openAccount(tally);
    await graphql(tally, TRANSFER, {
      input: { fromAccountId: from, toAccountId: to, amount: '5.00' },
    });
    expect(await tally.projector.progress.waitFor(await endOfAll(tally), 30_000)).toBe(true);

    const ready = await get(tally, '/ready');
    const report = await ready.json();
    expect(ready.status).toBe(503);
    expect(report.ready).toBe(false);
    expect(report.notReady.join('\n')).toMatch(
      /^transfer-process-manager is \d+ events \(\d+ ms\) behind the head$/m,
    );
    // The projections themselves are caught up, so only the process manager is named.
    expect(report.notReady, JSON.stringify(report)).toHaveLength(1);
  });

  it('metrics are Prometheus text with every Tally metric and the process metrics', async () => {
    const tally = await start();
    const { accountId } = await openAccount(tally, { initialDeposit: '10.00' });
    await graphql(tally, ACCOUNT, { id: accountId });
    await graphql(tally, ACCOUNT, { id: 'not-a-uuid' });
    expect(await tally.projector.progress.waitFor(await endOfAll(tally), 30_000)).toBe(true);

    const response = await get(tally, '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of [
      // Gauges of the whole ledger (lag, money in flight, parked events) are named but their
      // values not checked: every test file shares one event store, and another test's
      // transfer settling, or its deliberately broken legacy event, moves them at any moment.
      'tally_projection_lag_events{projection="accounts"}',
      'tally_projection_lag_seconds{projection="transfer-process-manager"}',
      'tally_projection_position{projection="transactions"}',
      'tally_transfers_in_flight',
      'tally_parked_events{consumer="read-models"}',
      'tally_command_duration_seconds_bucket{le="0.005",command="openAccount",outcome="ok"}',
      'tally_graphql_operations_total{operation_type="mutation",outcome="ok"} 1',
      'tally_graphql_operations_total{operation_type="query",outcome="ok"} 1',
      'tally_graphql_operations_total{operation_type="query",outcome="error"} 1',
      'tally_live_subscribers{feed="accounts"} 0',
      'tally_leader 1',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(name);
    }
    // Counts and positions only: no account id leaks into the metrics.
    expect(text).not.toContain(accountId);
  });

  it('every query answer says how fresh the read models were: extensions.readModel { position, lagMs }', async () => {
    const tally = await start();
    const { accountId, position } = await openAccount(tally, { ownerId: randomUUID() });
    const answer = await graphql(tally, ACCOUNT, { id: accountId, consistentWith: position });
    expect(answer.data?.account.id).toBe(accountId);
    const readModel = (
      answer as { extensions?: { readModel?: { position: string; lagMs: number } } }
    ).extensions?.readModel;
    expect(readModel).toBeDefined();
    expect(BigInt(readModel!.position)).toBeGreaterThanOrEqual(BigInt(position));
    expect(readModel!.lagMs).toBeGreaterThanOrEqual(0);
    // A mutation's answer carries no readModel: it reports the write side's own position.
    const mutation = await graphql(tally, TRANSFER, {
      input: { fromAccountId: accountId, toAccountId: randomUUID(), amount: '1.00' },
    });
    expect(
      (mutation as { extensions?: { readModel?: unknown } }).extensions?.readModel,
    ).toBeUndefined();
  });
});
