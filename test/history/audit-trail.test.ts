import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { openAccount } from '../support/ledger-client.js';
import { endOfAll, lastTransferSent, waitForSettlement } from '../support/settlement.js';
import { graphql, type Json, startTestTally } from '../support/test-tally.js';

let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally();
});
afterAll(async () => {
  await tally?.close();
});

const TRANSFER = `mutation ($input: TransferMoneyInput!) {
  transferMoney(input: $input) {
    __typename
    ... on TransferSuccess { transfer { id } position correlationId }
    ... on Error { message }
  }
}`;

const CORRELATED = `query ($id: ID!, $at: Position) {
  correlated(correlationId: $id, consistentWith: $at) {
    streamId revision type actor correlationId causationId commandId schemaVersion data
  }
}`;

const HISTORY = `query ($id: ID!, $first: Int, $after: String) {
  account(id: $id) {
    history(first: $first, after: $after) {
      edges { cursor node { position revision type actor occurredAt recordedAt correlationId data } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

describe('the audit trail', () => {
  it('goes from a transfer mutation to every event it caused, in $all order, with who and why', async () => {
    const owner = randomUUID();
    const { accountId: from } = await openAccount(tally, {
      ownerId: owner,
      initialDeposit: '100.00',
    });
    const { accountId: to } = await openAccount(tally);

    // Given a customer's transfer sent under its own X-Correlation-Id...
    const correlationId = randomUUID();
    const sent = await graphql(
      tally,
      TRANSFER,
      { input: { fromAccountId: from, toAccountId: to, amount: '30.00' } },
      { as: { role: 'customer', sub: owner }, headers: { 'x-correlation-id': correlationId } },
    );
    expect(sent.data?.transferMoney).toMatchObject({
      __typename: 'TransferSuccess',
      correlationId,
    });
    const transferId = sent.data?.transferMoney.transfer.id;
    await waitForSettlement(tally, await lastTransferSent(tally, from));

    // ...when an auditor asks for that correlation id...
    const story = await graphql(
      tally,
      CORRELATED,
      { id: correlationId, at: String(await endOfAll(tally)) },
      { as: 'auditor' },
    );
    expect(story.errors).toBeUndefined();
    const events = story.data?.correlated as Json[];

    // ...then the whole story reads in order: debit, transfer opened, credit, completed, delivered.
    expect(events.map((e) => [e.streamId, e.type])).toEqual([
      [`account-${from}`, 'TransferSent'],
      [`transfer-${transferId}`, 'TransferInitiated'],
      [`account-${to}`, 'TransferReceived'],
      [`transfer-${transferId}`, 'TransferCompleted'],
      [`account-${from}`, 'TransferDelivered'],
    ]);
    expect(events.every((e) => e.correlationId === correlationId)).toBe(true);
    // The request caused the debit; the debit's command caused every later step.
    const [debit, ...steps] = events;
    expect(debit).toMatchObject({ actor: owner, causationId: correlationId });
    for (const step of steps) expect(step.causationId).toBe(debit.commandId);
    expect(events.slice(2).map((e) => e.actor)).toEqual([
      'system:transfer-process-manager',
      'system:transfer-process-manager',
      'system:transfer-process-manager',
    ]);
    expect(debit.data).toMatchObject({ amount: 3000, currency: 'USD', balanceAfter: 7000 });
  });

  it("pages an account's history oldest first, straight from the event store", async () => {
    const { accountId } = await openAccount(tally, { initialDeposit: '10.00' });
    for (const amount of ['1.00', '2.00', '3.00']) {
      await graphql(
        tally,
        `mutation ($input: DepositMoneyInput!) { depositMoney(input: $input) { __typename } }`,
        { input: { accountId, amount, description: `deposit ${amount}` } },
        { as: { role: 'teller', sub: 'teller-tess' } },
      );
    }
    // The account's read model must exist for Account.history: wait for its opening.
    expect(await tally.projector.progress.waitFor(await endOfAll(tally), 30_000)).toBe(true);

    const first = await graphql(tally, HISTORY, { id: accountId, first: 3 }, { as: 'auditor' });
    const page1 = first.data?.account.history;
    expect(page1.edges.map((e: Json) => [e.node.revision, e.node.type])).toEqual([
      [0, 'AccountOpened'],
      [1, 'MoneyDeposited'],
      [2, 'MoneyDeposited'],
    ]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    // Each event's $all position, increasing with its revision.
    const positions = page1.edges.map((e: Json) => BigInt(e.node.position));
    expect(positions[0]).toBeGreaterThan(0n);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    const second = await graphql(
      tally,
      HISTORY,
      { id: accountId, first: 3, after: page1.pageInfo.endCursor },
      { as: 'auditor' },
    );
    const page2 = second.data?.account.history;
    expect(
      page2.edges.map((e: Json) => [e.node.revision, e.node.actor, e.node.data.amount]),
    ).toEqual([
      [3, 'teller-tess', 200],
      [4, 'teller-tess', 300],
    ]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
  });

  it('is for auditors, admins and the owning customer; correlated stories for auditors and admins', async () => {
    const owner = randomUUID();
    const { accountId } = await openAccount(tally, { ownerId: owner, initialDeposit: '1.00' });
    expect(await tally.projector.progress.waitFor(await endOfAll(tally), 30_000)).toBe(true);
    const history = (as: Json) => graphql(tally, HISTORY, { id: accountId, first: 1 }, { as });

    for (const who of ['auditor', 'admin', { role: 'customer', sub: owner }]) {
      const result = await history(who);
      expect(result.errors, JSON.stringify(who)).toBeUndefined();
      expect(result.data?.account.history.edges[0].node.type).toBe('AccountOpened');
    }
    for (const who of ['teller', { role: 'customer', sub: randomUUID() }]) {
      const result = await history(who);
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(who)).toBe('FORBIDDEN');
      expect(JSON.stringify(result.data ?? {})).not.toContain('AccountOpened');
    }
    const asCustomer = await graphql(
      tally,
      CORRELATED,
      { id: randomUUID() },
      { as: { role: 'customer', sub: owner } },
    );
    expect(asCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
