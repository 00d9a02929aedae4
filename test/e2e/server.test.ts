import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  freePort,
  type PrintedToken,
  runFailingServerProcess,
  startServerProcess,
} from '../support/server-process.js';
import type { Json } from '../support/test-tally.js';

// Each test starts real server processes (tsx compiles the sources on start): slow on a busy
// machine, so these get more time than the suite's default.
vi.setConfig({ testTimeout: 120_000 });

const dataDir = await mkdtemp(join(tmpdir(), 'tally-e2e-'));
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function post(
  port: number,
  token: PrintedToken | undefined,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: token.authorization } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    ...((await response.json()) as { data?: Json; errors?: Json[] }),
  };
}

const MOVE = (field: string, input: string) =>
  `mutation ($input: ${input}!) { ${field}(input: $input) { __typename ... on AccountCommandSuccess { account { id balance { amount } } position } ... on Error { message } } }`;

describe('the real server process', () => {
  it("runs the README's session with the printed dev tokens over HTTP and WebSocket, and keeps the ledger across a restart", async () => {
    const port = await freePort();
    const env = { PORT: String(port), DATA_DIR: dataDir };
    const server = await startServerProcess(env);
    const { customer, teller, auditor, admin } = server.devTokens;
    expect(customer && teller && auditor && admin).toBeTruthy();
    expect(customer!.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect((await stat(join(dataDir, 'dev-jwt-secret'))).mode & 0o777).toBe(0o600);

    const opened = await post(port, customer, MOVE('openAccount', 'OpenAccountInput'), {
      input: { ownerId: customer!.sub, currency: 'EUR', initialDeposit: '10.00' },
    });
    expect(opened.data.openAccount.__typename).toBe('AccountCommandSuccess');
    const accountId = opened.data.openAccount.account.id as string;
    // The read models are written apart from the request (on the projector's thread): a client
    // that wants the balance it just wrote asks for it consistent with the mutation's position.
    const projected = await post(
      port,
      customer,
      `query ($id: ID!, $after: Position) { account(id: $id, consistentWith: $after) { balance { amount } } }`,
      { id: accountId, after: opened.data.openAccount.position },
    );
    expect(projected.data.account.balance.amount).toBe('10.00');

    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: customer!.authorization },
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
            if (message.errors) return reject(new Error(JSON.stringify(message.errors)));
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
    // The customer may not deposit; the teller may.
    const refused = await post(port, customer, MOVE('depositMoney', 'DepositMoneyInput'), {
      input: { accountId, amount: '5.5' },
    });
    expect(refused.data.depositMoney.__typename).toBe('ForbiddenError');
    const deposit = await post(port, teller, MOVE('depositMoney', 'DepositMoneyInput'), {
      input: { accountId, amount: '5.5' },
    });
    expect(deposit.data.depositMoney.account.balance.amount).toBe('15.50');
    await post(port, teller, MOVE('withdrawMoney', 'WithdrawMoneyInput'), {
      input: { accountId, amount: '3.25' },
    });
    const last = await post(port, teller, MOVE('withdrawMoney', 'WithdrawMoneyInput'), {
      input: { accountId, amount: '0.25' },
    });
    await fourBalances;
    expect(balances).toEqual(['10.00', '15.50', '12.25', '12.00']);
    await client.dispose();

    expect(await server.stop()).toBe(0);
    const restarted = await startServerProcess(env);
    // The secret is kept, so the tokens printed before still work.
    const read = await post(
      port,
      customer,
      `query ($id: ID!, $at: Position) { account(id: $id, consistentWith: $at) { balance { amount currency } revision } }`,
      { id: accountId, at: last.data.withdrawMoney.position },
    );
    expect(read.data.account).toEqual({
      balance: { amount: '12.00', currency: 'EUR' },
      revision: 4,
    });
    expect(restarted.devTokens.customer?.sub).toBe(customer!.sub);
    const anonymous = await post(port, undefined, '{ __typename }');
    expect(anonymous.status).toBe(401);
    const graphiql = await fetch(`http://127.0.0.1:${port}/graphql`, {
      headers: { accept: 'text/html' },
    });
    expect(await graphiql.text()).toContain('GraphiQL');

    // A WebSocket without a token is closed with 4401 before anything runs.
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      const anonymousClient = createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        on: { closed: (event) => resolve(event as { code: number; reason: string }) },
      });
      anonymousClient.subscribe(
        { query: '{ __typename }' },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
    });
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/Unauthenticated/);
    expect(await restarted.stop()).toBe(0);
  });

  it('a second server on a taken port exits by itself with code 1, naming the port', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as { port: number };
    try {
      // It must exit by itself, with code 1, rather than hang: a process still running after
      // 15 s is killed, which leaves no exit code. (How fast it exits depends on the machine's
      // load, so no test asserts that; it exits as soon as the port is refused.)
      const result = await runFailingServerProcess(
        { PORT: String(port), DATA_DIR: await mkdtemp(join(tmpdir(), 'tally-e2e-port-')) },
        15_000,
      );
      expect(result.code).toBe(1);
      expect(result.output.trim().split('\n')).toEqual([
        `Tally cannot listen on 127.0.0.1:${port}: port ${port} is already in use (another Tally? set PORT to another port)`,
      ]);
    } finally {
      taken.close();
    }
  });

  it('refuses to start in production without authentication, and names a bad LOG_LEVEL', async () => {
    const production = await runFailingServerProcess({ NODE_ENV: 'production', DATA_DIR: dataDir });
    expect(production.code).toBe(1);
    expect(production.output).toMatch(/AUTH_JWT_SECRET or AUTH_JWKS_URL must be set/);
    const loud = await runFailingServerProcess({ LOG_LEVEL: 'loud', DATA_DIR: dataDir });
    expect(loud.code).toBe(1);
    expect(loud.output).toMatch(/LOG_LEVEL="loud": must be one of/);
    expect(loud.output).not.toMatch(/ at /);
  });
});
