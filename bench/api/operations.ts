import { randomUUID } from 'node:crypto';
import type { GraphQLClient } from './http-client.js';

/** The GraphQL operations the benchmark sends; every one must succeed, or the run stops. */
const RESULT = `__typename ... on AccountCommandSuccess { account { revision } position } ... on Error { message }`;
export const OPEN = `mutation ($input: OpenAccountInput!) { openAccount(input: $input) { __typename ... on AccountCommandSuccess { account { id } position } ... on Error { message } } }`;
export const DEPOSIT = `mutation ($input: DepositMoneyInput!) { depositMoney(input: $input) { ${RESULT} } }`;
export const WITHDRAW = `mutation ($input: WithdrawMoneyInput!) { withdrawMoney(input: $input) { ${RESULT} } }`;
export const TRANSFER = `mutation ($input: TransferMoneyInput!) { transferMoney(input: $input) { __typename ... on TransferSuccess { position } ... on Error { message } } }`;
export const ACCOUNT = `query ($id: ID!) { account(id: $id) { id balance { amount currency } status revision updatedAt } }`;

// biome-ignore lint/suspicious/noExplicitAny: GraphQL answers are read by field name.
function succeeded(data: any, field: string, success: string) {
  const result = data[field];
  if (result?.__typename !== success) throw new Error(`${field}: ${JSON.stringify(result)}`);
  return result;
}

export async function openAccounts(
  client: GraphQLClient,
  count: number,
  initialDeposit = '1000000.00',
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const data = await client.post(OPEN, {
      input: { ownerId: randomUUID(), currency: 'USD', initialDeposit },
    });
    ids.push(succeeded(data, 'openAccount', 'AccountCommandSuccess').account.id);
  }
  return ids;
}

/** A deposit of 1.00; resolves with the account's revision after it. */
export async function deposit(client: GraphQLClient, accountId: string): Promise<number> {
  const data = await client.post(DEPOSIT, { input: { accountId, amount: '1.00' } });
  return succeeded(data, 'depositMoney', 'AccountCommandSuccess').account.revision;
}

export async function withdraw(client: GraphQLClient, accountId: string): Promise<void> {
  const data = await client.post(WITHDRAW, { input: { accountId, amount: '1.00' } });
  succeeded(data, 'withdrawMoney', 'AccountCommandSuccess');
}

export async function transfer(client: GraphQLClient, from: string, to: string): Promise<void> {
  const data = await client.post(TRANSFER, {
    input: { fromAccountId: from, toAccountId: to, amount: '1.00' },
  });
  succeeded(data, 'transferMoney', 'TransferSuccess');
}

export async function queryAccount(client: GraphQLClient, id: string): Promise<void> {
  const data = await client.post(ACCOUNT, { id });
  if (data.account?.id !== id) throw new Error(`account ${id}: ${JSON.stringify(data)}`);
}

/** Waits until the read model shows a just-opened account (projection is asynchronous). */
export async function waitForReadModel(client: GraphQLClient, id: string): Promise<void> {
  for (;;) {
    const data = await client.post(ACCOUNT, { id });
    if (data.account?.id === id) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What the mixed load sends: 40 % deposits, 10 % withdrawals, 10 % transfers, 40 % queries. */
export type MixedKind = 'deposit' | 'withdrawal' | 'transfer' | 'query';

/** The kind of a worker's `i`-th operation in the mixed load. */
export function mixedKind(i: number): MixedKind {
  const step = i % 10;
  if (step >= 6) return 'query';
  if (step < 4) return 'deposit';
  return step === 4 ? 'withdrawal' : 'transfer';
}

/** One mixed-load operation of `worker` on its own account (a transfer goes to the next one's). */
export function mixedOperation(
  client: GraphQLClient,
  accounts: readonly string[],
  worker: number,
  kind: MixedKind,
): Promise<unknown> {
  const own = accounts[worker]!;
  switch (kind) {
    case 'deposit':
      return deposit(client, own);
    case 'withdrawal':
      return withdraw(client, own);
    case 'transfer':
      return transfer(client, own, accounts[(worker + 1) % accounts.length]!);
    case 'query':
      return queryAccount(client, own);
  }
}
