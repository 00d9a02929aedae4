import { randomUUID } from 'node:crypto';
import { StreamNotFoundError } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import type { Role } from '../../src/auth/roles.js';
import {
  ACCOUNT,
  CLOSE,
  DEPOSIT,
  FREEZE,
  OPEN_ACCOUNT,
  TRANSFER,
  TRANSFER_QUERY,
  UNFREEZE,
  WITHDRAW,
} from '../support/operations.js';
import { subscribeOverSse } from '../support/sse.js';
import { graphql, type Json, startTestTally, type Who } from '../support/test-tally.js';
import { signTestToken } from '../support/tokens.js';

let tally: Tally;
const alice = { role: 'customer', sub: randomUUID() } as const;
const bob = { role: 'customer', sub: randomUUID() } as const;
const staff: Record<Exclude<Role, 'customer'>, Who> = {
  teller: 'teller',
  auditor: 'auditor',
  admin: 'admin',
};
let aliceAccount: string;
let bobAccount: string;
let aliceTransfer: string;
let lastPosition: string;

beforeAll(async () => {
  tally = await startTestTally();
  aliceAccount = (await open(alice, alice.sub, '100.00')).account.id;
  bobAccount = (await open(bob, bob.sub, '100.00')).account.id;
  const sent = await graphql(
    tally,
    TRANSFER,
    { input: { fromAccountId: aliceAccount, toAccountId: bobAccount, amount: '1.00' } },
    { as: alice },
  );
  aliceTransfer = sent.data?.transferMoney.transfer.id;
  lastPosition = sent.data?.transferMoney.position;
});
afterAll(async () => {
  await tally?.close();
});

async function open(who: Who, ownerId: string, initialDeposit?: string, accountId?: string) {
  const result = await graphql(
    tally,
    OPEN_ACCOUNT,
    { input: { ownerId, currency: 'USD', accountId, initialDeposit } },
    { as: who },
  );
  return result.data?.openAccount;
}

async function streamLength(accountId: string): Promise<number> {
  let count = 0;
  try {
    for await (const _ of tally.eventStore.readStream(`account-${accountId}`)) count++;
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return count;
}

/** Runs a mutation as `who`; when refused, checks the typed error and that nothing was written. */
async function mutate(
  who: Who,
  document: string,
  field: string,
  input: Record<string, unknown>,
  watched: string,
) {
  const before = await streamLength(watched);
  const result = await graphql(tally, document, { input }, { as: who });
  const payload = result.data?.[field];
  expect(payload, JSON.stringify(result)).toBeDefined();
  if (payload.__typename === 'ForbiddenError') {
    expect(await streamLength(watched)).toBe(before);
  }
  return payload;
}

const forbidden = (requiredRole: string) => ({
  __typename: 'ForbiddenError',
  requiredRole,
  message: expect.stringMatching(/^Forbidden: /),
});

describe('mutations, by role', () => {
  it('openAccount: a customer for itself only, and admins', async () => {
    const refusedId = randomUUID();
    for (const [who, ownerId] of [
      [alice, bob.sub],
      [staff.teller, alice.sub],
      [staff.auditor, alice.sub],
    ] as const) {
      const refused = await mutate(
        who,
        OPEN_ACCOUNT,
        'openAccount',
        { accountId: refusedId, ownerId, currency: 'USD' },
        refusedId,
      );
      expect(refused, JSON.stringify(who)).toMatchObject(forbidden('CUSTOMER'));
    }
    expect(await streamLength(refusedId)).toBe(0);
    expect((await open(alice, alice.sub)).__typename).toBe('AccountCommandSuccess');
    expect((await open(staff.admin, bob.sub)).__typename).toBe('AccountCommandSuccess');
  });

  it('depositMoney and withdrawMoney: tellers and admins', async () => {
    for (const [document, field] of [
      [DEPOSIT, 'depositMoney'],
      [WITHDRAW, 'withdrawMoney'],
    ] as const) {
      const input = { accountId: aliceAccount, amount: '1.00' };
      for (const who of [alice, bob, staff.auditor]) {
        expect(await mutate(who, document, field, input, aliceAccount)).toMatchObject(
          forbidden('TELLER'),
        );
      }
      for (const who of [staff.teller, staff.admin]) {
        const done = await mutate(who, document, field, input, aliceAccount);
        expect(done.__typename, field).toBe('AccountCommandSuccess');
      }
    }
  });

  it('transferMoney: the owner of the source account, and admins', async () => {
    const input = { fromAccountId: aliceAccount, toAccountId: bobAccount, amount: '1.00' };
    for (const who of [bob, staff.teller, staff.auditor]) {
      expect(await mutate(who, TRANSFER, 'transferMoney', input, aliceAccount)).toMatchObject(
        forbidden('CUSTOMER'),
      );
    }
    for (const who of [alice, staff.admin]) {
      const done = await mutate(who, TRANSFER, 'transferMoney', input, aliceAccount);
      expect(done.__typename).toBe('TransferSuccess');
    }
    // A customer cannot reach another's account by naming one that does not exist either.
    const ghost = { ...input, fromAccountId: randomUUID() };
    expect(
      await mutate(alice, TRANSFER, 'transferMoney', ghost, ghost.fromAccountId),
    ).toMatchObject(forbidden('CUSTOMER'));
  });

  it('freezeAccount, unfreezeAccount and closeAccount: admins only', async () => {
    const empty = (await open(alice, alice.sub)).account.id;
    for (const [document, field] of [
      [FREEZE, 'freezeAccount'],
      [UNFREEZE, 'unfreezeAccount'],
      [CLOSE, 'closeAccount'],
    ] as const) {
      const input = { accountId: empty, reason: 'role check' };
      for (const who of [alice, staff.teller, staff.auditor]) {
        expect(await mutate(who, document, field, input, empty), field).toMatchObject(
          forbidden('ADMIN'),
        );
      }
      const done = await mutate(staff.admin, document, field, input, empty);
      expect(done.__typename, field).toBe('AccountCommandSuccess');
    }
  });

  it('records the token sub as the actor of the events', async () => {
    await graphql(
      tally,
      DEPOSIT,
      { input: { accountId: bobAccount, amount: '2.00' } },
      { as: { role: 'teller', sub: 'teller-7' } },
    );
    const events = [];
    for await (const resolved of tally.eventStore.readStream(`account-${bobAccount}`)) {
      events.push(resolved.event!);
    }
    expect(events.at(-1)?.metadata).toMatchObject({ actor: 'teller-7' });
    expect(events[0]?.metadata).toMatchObject({ actor: bob.sub });
  });
});

describe('queries, by role', () => {
  async function query(who: Who, document: string, variables: Record<string, unknown>) {
    return graphql(tally, document, { consistentWith: lastPosition, ...variables }, { as: who });
  }
  const isForbidden = (result: { data?: Json; errors?: Json[] }, field: string) => {
    expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result)).toBe('FORBIDDEN');
    expect(result.data?.[field] ?? null).toBeNull();
  };

  it('account: its owner and staff; another customer gets FORBIDDEN, never the data', async () => {
    for (const who of [alice, staff.teller, staff.auditor, staff.admin]) {
      const result = await query(who, ACCOUNT, { id: aliceAccount });
      expect(result.data?.account.ownerId, JSON.stringify(who)).toBe(alice.sub);
    }
    isForbidden(await query(bob, ACCOUNT, { id: aliceAccount }), 'account');
    isForbidden(
      await query({ sub: 'nobody', roles: [] }, ACCOUNT, { id: aliceAccount }),
      'account',
    );
  });

  it('accounts: a customer lists only its own; staff list anyone', async () => {
    const list = `query ($owner: ID, $consistentWith: Position) { accounts(ownerId: $owner, consistentWith: $consistentWith) { edges { node { ownerId } } } }`;
    const own = await query(alice, list, { owner: alice.sub });
    expect(own.data?.accounts.edges.length).toBeGreaterThan(0);
    isForbidden(await query(alice, list, { owner: bob.sub }), 'accounts');
    isForbidden(await query(alice, list, {}), 'accounts');
    for (const who of Object.values(staff)) {
      const all = await query(who, list, {});
      expect(all.data?.accounts.edges.length, JSON.stringify(who)).toBeGreaterThan(1);
    }
  });

  it('transfer: the parties and staff', async () => {
    for (const who of [alice, bob, ...Object.values(staff)]) {
      const result = await query(who, TRANSFER_QUERY, { id: aliceTransfer });
      expect(result.data?.transfer?.id, JSON.stringify(result)).toBe(aliceTransfer);
    }
    const carol = { role: 'customer', sub: randomUUID() } as const;
    isForbidden(await query(carol, TRANSFER_QUERY, { id: aliceTransfer }), 'transfer');
  });

  it('ledgerIntegrity: auditors and admins', async () => {
    const integrity = `{ ledgerIntegrity(currency: "USD") { consistent } }`;
    for (const who of [alice, staff.teller])
      isForbidden(await query(who, integrity, {}), 'ledgerIntegrity');
    for (const who of [staff.auditor, staff.admin]) {
      expect((await query(who, integrity, {})).data?.ledgerIntegrity).toBeDefined();
    }
  });
});

describe('subscriptions, by role', () => {
  const BALANCE = `subscription ($id: ID!) { balanceChanged(accountId: $id) { ownerId revision } }`;
  const ACTIVITY = `subscription ($id: ID!) { accountActivity(accountId: $id, afterRevision: 0) { accountId revision } }`;

  it('balanceChanged and accountActivity: the owner and staff; another customer gets FORBIDDEN', async () => {
    for (const [document, field] of [
      [BALANCE, 'balanceChanged'],
      [ACTIVITY, 'accountActivity'],
    ] as const) {
      for (const who of [alice, ...Object.values(staff)]) {
        const live = subscribeOverSse(tally, document, { id: aliceAccount }, { as: who });
        const first = await live.next();
        expect(first.data?.[field], JSON.stringify(first)).toBeTruthy();
        live.close();
      }
      const refused = subscribeOverSse(tally, document, { id: aliceAccount }, { as: bob });
      const answer = await refused.next();
      expect(answer.errors?.[0]?.extensions?.code, field).toBe('FORBIDDEN');
      expect(answer.data?.[field] ?? null).toBeNull();
      refused.close();
    }
  });

  it('ends with UNAUTHENTICATED when the token that opened it expires', async () => {
    const token = await signTestToken({
      sub: alice.sub,
      roles: ['customer'],
      expiresIn: Math.floor(Date.now() / 1000) + 2,
    });
    const live = subscribeOverSse(
      tally,
      BALANCE,
      { id: aliceAccount },
      { token: `Bearer ${token}` },
    );
    expect((await live.next()).data?.balanceChanged.ownerId).toBe(alice.sub);
    const last = await live.next();
    expect(last.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/token expired/),
      extensions: { code: 'UNAUTHENTICATED' },
    });
    await expect(live.next()).rejects.toThrow(/subscription ended/);
  });
});
