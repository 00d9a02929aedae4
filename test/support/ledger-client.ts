import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Tally } from '../../src/app.js';
import { DEPOSIT, OPEN_ACCOUNT } from './operations.js';
import { graphql } from './test-tally.js';

/** Opens an account through the API and returns its id and the position of its last event. */
export async function openAccount(
  tally: Tally,
  input: { currency?: string; initialDeposit?: string; ownerId?: string } = {},
): Promise<{ accountId: string; position: string }> {
  const result = await graphql(tally, OPEN_ACCOUNT, {
    input: { ownerId: randomUUID(), currency: 'USD', ...input },
  });
  const payload = result.data?.openAccount;
  expect(payload?.__typename, JSON.stringify(result)).toBe('AccountCommandSuccess');
  return { accountId: payload.account.id, position: payload.position };
}

export async function deposit(tally: Tally, accountId: string, amount: string) {
  const result = await graphql(tally, DEPOSIT, { input: { accountId, amount } });
  return result.data?.depositMoney;
}
