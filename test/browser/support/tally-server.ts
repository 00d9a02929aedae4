import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDevSecret } from '../../../src/auth/dev-secret.js';
import type { Role } from '../../../src/auth/roles.js';
import { signToken } from '../../../src/auth/sign-token.js';
import { freePort, type PrintedToken, startServerProcess } from '../../support/server-process.js';

type Running = Awaited<ReturnType<typeof startServerProcess>>;

/**
 * `npm start` as a user runs it, in development mode on its own stand-ins and data directory,
 * on a fixed port so a restart keeps the address the browser page talks to.
 */
export async function startDashboardServer(extraEnv: Record<string, string> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tally-browser-'));
  const port = await freePort();
  // Development mode and embedded stand-ins, whatever the test run was given.
  const env = {
    PORT: String(port),
    DATA_DIR: dataDir,
    EVENTSTORE_URL: '',
    MONGODB_URL: '',
    AUTH_JWT_SECRET: '',
    AUTH_JWKS_URL: '',
    NODE_ENV: 'development',
    ...extraEnv,
  };
  let running: Running = await startServerProcess(env);
  const url = `http://127.0.0.1:${port}`;
  const devTokens = running.devTokens as Record<Role, PrintedToken>;

  async function graphql(
    who: PrintedToken,
    query: string,
    variables: Record<string, unknown> = {},
  ) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: who.authorization },
      body: JSON.stringify({ query, variables }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: response JSON, checked by the assertions.
    const body = (await response.json()) as { data?: any; errors?: Array<{ message: string }> };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  return {
    url,
    port,
    dataDir,
    devTokens,
    graphql,
    /** A token for another principal, signed with this server's development secret. */
    async tokenFor(sub: string, role: Role): Promise<PrintedToken> {
      const secret = await loadOrCreateDevSecret(dataDir);
      return { sub, authorization: `Bearer ${await signToken(secret, { sub, roles: [role] })}` };
    },
    async openAccount(owner: PrintedToken, currency = 'USD', initialDeposit = '10.00') {
      const data = await graphql(
        owner,
        'mutation ($input: OpenAccountInput!) { openAccount(input: $input) { __typename ... on AccountCommandSuccess { account { id revision } position } ... on Error { message } } }',
        { input: { ownerId: owner.sub, currency, initialDeposit } },
      );
      if (data.openAccount.__typename !== 'AccountCommandSuccess') {
        throw new Error(JSON.stringify(data.openAccount));
      }
      const account = data.openAccount.account as { id: string; revision: number };
      // The read models are written apart from the request (on the projector's thread): wait
      // until they hold the account, as a page that loads next lists only what they hold.
      await graphql(
        owner,
        'query ($id: ID!, $after: Position) { account(id: $id, consistentWith: $after) { id } }',
        { id: account.id, after: data.openAccount.position },
      );
      return account;
    },
    async deposit(accountId: string, amount: string, description?: string) {
      const data = await graphql(
        devTokens.teller,
        'mutation ($input: DepositMoneyInput!) { depositMoney(input: $input) { __typename ... on AccountCommandSuccess { account { balance { amount } revision } } ... on Error { message } } }',
        { input: { accountId, amount, description } },
      );
      if (data.depositMoney.__typename !== 'AccountCommandSuccess') {
        throw new Error(JSON.stringify(data.depositMoney));
      }
      return data.depositMoney.account as { balance: { amount: string }; revision: number };
    },
    /** SIGTERM, then `npm start` again on the same port and data. */
    async restart(between: () => Promise<void> = async () => {}) {
      await running.stop();
      await between();
      running = await startServerProcess(env);
    },
    async stop() {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type DashboardServer = Awaited<ReturnType<typeof startDashboardServer>>;
