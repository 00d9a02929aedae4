import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Tally } from '../../src/app.js';
import { createHttpServer } from '../../src/server.js';
import { openAccount } from '../support/ledger-client.js';
import { startTestTally } from '../support/test-tally.js';
import { authorizationFor, testApiOptions } from '../support/tokens.js';

let tally: Tally;
let http: ReturnType<typeof createHttpServer>;
let url: string;
const clients: Client[] = [];
beforeAll(async () => {
  tally = await startTestTally();
  http = createHttpServer(tally.yoga, testApiOptions().verifyToken, {
    maxConnectionsPerPrincipal: 2,
    maxSubscriptionsPerConnection: 1,
  });
  http.server.listen(0, '127.0.0.1');
  await once(http.server, 'listening');
  url = `ws://127.0.0.1:${(http.server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await http?.close();
  await tally?.close();
});

function connect(authorization?: string) {
  let closed!: (event: { code: number; reason: string }) => void;
  const closing = new Promise<{ code: number; reason: string }>((resolve) => {
    closed = resolve;
  });
  let opened!: () => void;
  const acknowledged = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    // The closes these tests provoke are asserted through `closed`, not printed.
    onNonLazyError: () => undefined,
    connectionParams: authorization ? { authorization } : {},
    on: {
      connected: () => opened(),
      closed: (event) => closed(event as { code: number; reason: string }),
    },
  });
  clients.push(client);
  return { client, closing, acknowledged };
}

/** The first message (or error) of a subscription. */
function first(client: Client, query: string, variables: Record<string, unknown>) {
  return new Promise<{
    data?: unknown;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  }>((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (message) => resolve(message as never),
        error: (errors) => resolve({ errors: errors as never }),
        complete: () => undefined,
      },
    );
  });
}

const BALANCE = `subscription ($id: ID!) { balanceChanged(accountId: $id) { revision } }`;

describe('graphql-ws', () => {
  it('closes a connection without a valid token with 4401', async () => {
    for (const authorization of [undefined, 'Bearer forged']) {
      const { closing } = connect(authorization);
      const event = await closing;
      expect(event.code).toBe(4401);
      expect(event.reason).toMatch(/^Unauthenticated/);
    }
  });

  it('limits connections per principal and operations per connection', async () => {
    const { accountId, position } = await openAccount(tally, { initialDeposit: '1.00' });
    await tally.projector.progress.waitFor(BigInt(position), 5000);
    const authorization = await authorizationFor({ role: 'auditor', sub: 'ws-auditor' });
    const one = connect(authorization);
    const two = connect(authorization);
    await Promise.all([one.acknowledged, two.acknowledged]);
    const three = connect(authorization);
    expect((await three.closing).code).toBe(4429);

    expect(await first(one.client, BALANCE, { id: accountId })).toMatchObject({
      data: { balanceChanged: { revision: 1 } },
    });
    const second = await first(one.client, BALANCE, { id: accountId });
    expect(second.errors?.[0]?.message).toMatch(/Too many subscriptions/);
  });

  it('answers FORBIDDEN to a customer subscribing to another customer account', async () => {
    const { accountId } = await openAccount(tally);
    const { client } = connect(
      await authorizationFor({ role: 'customer', sub: crypto.randomUUID() }),
    );
    const answer = await first(client, BALANCE, { id: accountId });
    expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
