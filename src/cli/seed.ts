import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { signToken } from '../auth/sign-token.js';
import { type CliCommand, ConnectionError, EXIT, UsageError } from './command.js';

const HELP = `Usage: npm run tally -- seed [--accounts N] [--days D] [--url URL]

Fills a running Tally with demo data through its public GraphQL API, as clients would: N
accounts (USD and EUR, each with an opening deposit), then for each of D days a round of
deposits, withdrawals, transfers between accounts of the same currency, and holds placed and
captured or released. Every mutation carries an idempotency key derived from the run, so a
seed interrupted and run again with --run-id does not double anything. The API stamps every
event with the time it is received (clients cannot backdate the ledger), so the D days are D
rounds of a day's activity, not D days of timestamps.

Options:
  --accounts N   accounts to open (default 20)
  --days D       rounds of daily activity (default 7)
  --url URL      the GraphQL endpoint (default TALLY_URL or http://127.0.0.1:4000/graphql)
  --run-id ID    names the run's idempotency keys (default: a new one); repeat it to resume
  --help         this text

Token: TALLY_TOKEN ("Bearer ..." or the bare JWT) of an admin; else one is signed with
AUTH_JWT_SECRET, or with the development secret in DATA_DIR (default .data) that \`npm start\`
created.

Exit status: 0 every mutation succeeded, 1 some were refused (printed), 2 could not run.`;

interface Options {
  accounts: number;
  days: number;
  url: string;
  runId: string;
}

export const seedCommand: CliCommand = {
  name: 'seed',
  summary: 'demo data through the public API: accounts, deposits, transfers, holds over D days',
  help: HELP,
  async run(args, output) {
    const options = parseOptions(args);
    const authorization = await adminAuthorization();
    const api = new Api(options.url, authorization);
    await api.reachable();

    const rounds = options.days;
    const perRound = Math.max(4, options.accounts);
    const total = options.accounts + rounds * perRound;
    const bar = new SingleBar({
      format: 'seed [{bar}] {value}/{total} mutations | {rate}/s | ETA {eta}s | refused {refused}',
      stream: process.stderr,
      noTTYOutput: false,
    });
    bar.start(total, 0, { rate: '0', refused: 0 });
    const started = performance.now();
    let refused = 0;
    const step = async (work: () => Promise<string | undefined>) => {
      const problem = await work();
      if (problem) {
        refused++;
        output.err(problem);
      }
      const seconds = (performance.now() - started) / 1000;
      bar.increment(1, {
        rate: (((bar as unknown as { value: number }).value + 1) / seconds).toFixed(0),
        refused,
      });
    };
    const key = (name: string) => `seed:${options.runId}:${name}`;

    const accounts: Array<{ id: string; currency: string }> = [];
    await inBatches(
      Array.from({ length: options.accounts }, (_, i) => i),
      8,
      (i) =>
        step(async () => {
          const currency = i % 3 === 2 ? 'EUR' : 'USD';
          const result = await api.mutate('openAccount', OPEN, {
            input: {
              ownerId: randomUUID(),
              currency,
              initialDeposit: `${100 + ((i * 37) % 900)}.00`,
              idempotencyKey: key(`open:${i}`),
            },
          });
          if (result.__typename !== 'AccountCommandSuccess') return describe('openAccount', result);
          accounts.push({ id: result.account.id, currency });
          return undefined;
        }),
    );

    for (let day = 0; day < rounds; day++) {
      const work = Array.from({ length: perRound }, (_, i) => i);
      await inBatches(work, 8, (i) =>
        step(async () => {
          const account = accounts[(i + day) % accounts.length];
          if (!account) return 'no account to work on';
          const k = key(`d${day}:${i}`);
          switch ((i + day) % 5) {
            case 0:
              return describe(
                'depositMoney',
                await api.mutate('depositMoney', DEPOSIT, {
                  input: {
                    accountId: account.id,
                    amount: amount(i, day, 50),
                    description: `day ${day + 1} salary`,
                    idempotencyKey: k,
                  },
                }),
                'AccountCommandSuccess',
              );
            case 1:
              return describe(
                'withdrawMoney',
                await api.mutate('withdrawMoney', WITHDRAW, {
                  input: {
                    accountId: account.id,
                    amount: amount(i, day, 5),
                    description: `day ${day + 1} cash`,
                    idempotencyKey: k,
                  },
                }),
                'AccountCommandSuccess',
                ['InsufficientFundsError'],
              );
            case 2: {
              const peer = accounts.find(
                (a) => a.id !== account.id && a.currency === account.currency,
              );
              if (!peer) return undefined;
              return describe(
                'transferMoney',
                await api.mutate('transferMoney', TRANSFER, {
                  input: {
                    fromAccountId: account.id,
                    toAccountId: peer.id,
                    amount: amount(i, day, 10),
                    description: `day ${day + 1} rent share`,
                    idempotencyKey: k,
                  },
                }),
                'TransferSuccess',
                ['InsufficientFundsError'],
              );
            }
            case 3: {
              const held = await api.mutate('placeHold', PLACE_HOLD, {
                input: {
                  accountId: account.id,
                  amount: amount(i, day, 3),
                  reason: `day ${day + 1} card authorisation`,
                  idempotencyKey: k,
                },
              });
              if (held.__typename !== 'HoldSuccess')
                return describe('placeHold', held, 'HoldSuccess', ['InsufficientFundsError']);
              const settle = i % 2 === 0 ? 'captureHold' : 'releaseHold';
              const input =
                settle === 'captureHold'
                  ? { holdId: held.hold.id, idempotencyKey: `${k}:settle` }
                  : {
                      holdId: held.hold.id,
                      reason: 'merchant cancelled',
                      idempotencyKey: `${k}:settle`,
                    };
              return describe(
                settle,
                await api.mutate(settle, settle === 'captureHold' ? CAPTURE_HOLD : RELEASE_HOLD, {
                  input,
                }),
                'HoldSuccess',
              );
            }
            default:
              return describe(
                'depositMoney',
                await api.mutate('depositMoney', DEPOSIT, {
                  input: {
                    accountId: account.id,
                    amount: amount(i, day, 20),
                    description: `day ${day + 1} refund`,
                    idempotencyKey: k,
                  },
                }),
                'AccountCommandSuccess',
              );
          }
        }),
      );
    }
    bar.stop();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    output.out(
      `seed: ${accounts.length} accounts, ${total} mutations in ${seconds} s, ${refused} refused (run id ${options.runId})`,
    );
    return refused === 0 ? EXIT.ok : EXIT.findings;
  },
};

/** A deterministic amount between 1 and `max` units, in cents. */
function amount(i: number, day: number, max: number): string {
  const cents = 100 + ((i * 7919 + day * 104729) % (max * 100));
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** undefined when the result is the expected success (or an expected refusal); else one line. */
function describe(
  mutation: string,
  result: { __typename?: string; message?: string },
  success = 'AccountCommandSuccess',
  expected: readonly string[] = [],
): string | undefined {
  if (result.__typename === success || expected.includes(result.__typename ?? '')) return undefined;
  return `${mutation}: ${result.__typename ?? 'error'}${result.message ? `: ${result.message}` : ''}`;
}

async function inBatches<T>(
  items: T[],
  size: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

class Api {
  constructor(
    private readonly url: string,
    private readonly authorization: string,
  ) {}

  async reachable(): Promise<void> {
    try {
      await this.request('query { __typename }', {});
    } catch (error) {
      throw new ConnectionError(
        `Cannot reach Tally at ${this.url}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: the mutation's payload, checked by __typename.
  async mutate(field: string, query: string, variables: object): Promise<any> {
    const body = await this.request(query, variables);
    if (body.errors?.length) return { __typename: 'GraphQLError', message: body.errors[0].message };
    return body.data?.[field] ?? { __typename: 'GraphQLError', message: 'no data' };
  }

  // biome-ignore lint/suspicious/noExplicitAny: GraphQL JSON.
  private async request(query: string, variables: object): Promise<any> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: this.authorization },
      body: JSON.stringify({ query, variables }),
    });
    if (response.status === 401)
      throw new ConnectionError('the token was refused (401): set TALLY_TOKEN to an admin token');
    return response.json();
  }
}

async function adminAuthorization(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const given = env.TALLY_TOKEN?.trim();
  if (given) return given.startsWith('Bearer ') ? given : `Bearer ${given}`;
  let secret: Uint8Array | undefined;
  if (env.AUTH_JWT_SECRET) secret = new TextEncoder().encode(env.AUTH_JWT_SECRET);
  else {
    try {
      const path = join(env.DATA_DIR || '.data', 'dev-jwt-secret');
      secret = new TextEncoder().encode((await readFile(path, 'utf8')).trim());
    } catch {
      throw new ConnectionError(
        'No token: set TALLY_TOKEN (an admin token), or AUTH_JWT_SECRET, or run from the directory whose DATA_DIR holds the development secret.',
      );
    }
  }
  const token = await signToken(secret, {
    sub: 'seed',
    roles: ['admin'],
    expiresIn: '1h',
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
  });
  return `Bearer ${token}`;
}

function parseOptions(args: string[]): Options {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        accounts: { type: 'string' },
        days: { type: 'string' },
        url: { type: 'string' },
        'run-id': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const count = (name: string, fallback: number, min: number) => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > 100_000)
      throw new UsageError(`--${name} must be a whole number from ${min} to 100000`);
    return n;
  };
  return {
    accounts: count('accounts', 20, 2),
    days: count('days', 7, 0),
    url: values.url ?? process.env.TALLY_URL ?? 'http://127.0.0.1:4000/graphql',
    runId: values['run-id'] ?? randomUUID().slice(0, 8),
  };
}

const ACCOUNT_RESULT =
  '__typename ... on AccountCommandSuccess { account { id } } ... on Error { message }';
const HOLD_RESULT = '__typename ... on HoldSuccess { hold { id } } ... on Error { message }';
const OPEN = `mutation ($input: OpenAccountInput!) { openAccount(input: $input) { ${ACCOUNT_RESULT} } }`;
const DEPOSIT = `mutation ($input: DepositMoneyInput!) { depositMoney(input: $input) { ${ACCOUNT_RESULT} } }`;
const WITHDRAW = `mutation ($input: WithdrawMoneyInput!) { withdrawMoney(input: $input) { ${ACCOUNT_RESULT} } }`;
const TRANSFER = `mutation ($input: TransferMoneyInput!) { transferMoney(input: $input) { __typename ... on Error { message } } }`;
const PLACE_HOLD = `mutation ($input: PlaceHoldInput!) { placeHold(input: $input) { ${HOLD_RESULT} } }`;
const CAPTURE_HOLD = `mutation ($input: CaptureHoldInput!) { captureHold(input: $input) { ${HOLD_RESULT} } }`;
const RELEASE_HOLD = `mutation ($input: ReleaseHoldInput!) { releaseHold(input: $input) { ${HOLD_RESULT} } }`;
