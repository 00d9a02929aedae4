import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort, startServerProcess } from '../support/server-process.js';
import type { Json } from '../support/test-tally.js';

const dataDir = await mkdtemp(join(tmpdir(), 'tally-e2e-'));
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function post(port: number, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Json; errors?: unknown[] };
}

const MOVE = (field: string, input: string) =>
  `mutation ($input: ${input}!) { ${field}(input: $input) { __typename ... on AccountCommandSuccess { account { id balance { amount } } position } } }`;

describe('the real server process', () => {
  it('serves HTTP and WebSocket, pushes each balance in order, and keeps the ledger across a restart', async () => {
    const port = await freePort();
    const env = { PORT: String(port), DATA_DIR: dataDir };
    const server = await startServerProcess(env);

    const opened = await post(port, MOVE('openAccount', 'OpenAccountInput'), {
      input: {
        ownerId: '0b7d1a52-9a51-4c1e-8d6a-1a2b3c4d5e6f',
        currency: 'EUR',
        initialDeposit: '10.00',
      },
    });
    const accountId = opened.data.openAccount.account.id as string;

    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const balances: string[] = [];
    let sawFour!: () => void;
    const fourBalances = new Promise<void>((resolve) => {
      sawFour = resolve;
    });
    const subscribed = new Promise<void>((resolve, reject) => {
      client.subscribe<{ balanceChanged: { balance: { amount: string } } }>(
        {
          query: `subscription ($id: ID!) { balanceChanged(accountId: $id) { balance { amount } revision } }`,
          variables: { id: accountId },
        },
        {
          next: (message) => {
            balances.push(message.data!.balanceChanged.balance.amount);
            if (balances.length === 1) resolve();
            if (balances.length === 4) sawFour();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    await subscribed;
    const deposit = await post(port, MOVE('depositMoney', 'DepositMoneyInput'), {
      input: { accountId, amount: '5.5' },
    });
    expect(deposit.data.depositMoney.account.balance.amount).toBe('15.50');
    await post(port, MOVE('withdrawMoney', 'WithdrawMoneyInput'), {
      input: { accountId, amount: '3.25' },
    });
    const last = await post(port, MOVE('withdrawMoney', 'WithdrawMoneyInput'), {
      input: { accountId, amount: '0.25' },
    });
    await fourBalances;
    expect(balances).toEqual(['10.00', '15.50', '12.25', '12.00']);
    await client.dispose();

    expect(await server.stop()).toBe(0);
    const restarted = await startServerProcess(env);
    const read = await post(
      port,
      `query ($id: ID!, $at: Position) { account(id: $id, consistentWith: $at) { balance { amount currency } revision } }`,
      { id: accountId, at: last.data.withdrawMoney.position },
    );
    expect(read.data.account).toEqual({
      balance: { amount: '12.00', currency: 'EUR' },
      revision: 4,
    });
    const graphiql = await fetch(`http://127.0.0.1:${port}/graphql`, {
      headers: { accept: 'text/html' },
    });
    expect(await graphiql.text()).toContain('GraphiQL');
    expect(await restarted.stop()).toBe(0);
  });
});
