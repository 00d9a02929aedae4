import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { deposit, openAccount } from '../support/ledger-client.js';
import { TRANSFER, WITHDRAW } from '../support/operations.js';
import { lastTransferSent, waitForSettlement } from '../support/settlement.js';
import { graphql, startTestTally } from '../support/test-tally.js';

const LEDGER_INTEGRITY = `query ($currency: String!, $consistentWith: Position) {
  ledgerIntegrity(currency: $currency, consistentWith: $consistentWith) {
    currency consistent balances inFlight deposited withdrawn fees interest captured
    reversedIn reversedOut position
  }
}`;

// Bahraini dinars: three minor digits, and no other test moves them, so the totals are ours.
const BHD = 'BHD';

let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally();
});
afterAll(async () => {
  await tally?.close();
});

describe('Query.ledgerIntegrity', () => {
  it('adds up deposits, withdrawals and settled transfers, with the balances, to the last digit', async () => {
    const a = await openAccount(tally, { currency: BHD, initialDeposit: '100' });
    const b = await openAccount(tally, { currency: BHD });
    await deposit(tally, b.accountId, '5.25');
    await graphql(tally, WITHDRAW, { input: { accountId: a.accountId, amount: '0.125' } });
    const sent = await graphql(tally, TRANSFER, {
      input: { fromAccountId: a.accountId, toAccountId: b.accountId, amount: '10' },
    });
    expect(sent.data?.transferMoney.__typename).toBe('TransferSuccess');
    // To an account that does not exist: refunded.
    await graphql(tally, TRANSFER, {
      input: {
        fromAccountId: a.accountId,
        toAccountId: '00000000-0000-4000-8000-000000000bad',
        amount: '1',
      },
    });
    await waitForSettlement(tally, await lastTransferSent(tally, a.accountId));

    const result = await graphql(tally, LEDGER_INTEGRITY, { currency: BHD }, { as: 'auditor' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.ledgerIntegrity).toMatchObject({
      currency: BHD,
      consistent: true,
      balances: '105.125',
      inFlight: '0.000',
      deposited: '105.250',
      withdrawn: '0.125',
      fees: '0.000',
      interest: '0.000',
      captured: '0.000',
      reversedIn: '0.000',
      reversedOut: '0.000',
    });
    expect(BigInt(result.data?.ledgerIntegrity.position)).toBeGreaterThan(0n);
  });

  it('waits for consistentWith, so a deposit just made is counted', async () => {
    const before = await graphql(tally, LEDGER_INTEGRITY, { currency: 'KWD' }, { as: 'admin' });
    const account = await openAccount(tally, { currency: 'KWD' });
    const deposited = await deposit(tally, account.accountId, '0.001');
    const after = await graphql(
      tally,
      LEDGER_INTEGRITY,
      { currency: 'KWD', consistentWith: deposited.position },
      { as: 'admin' },
    );
    expect(before.data?.ledgerIntegrity).toMatchObject({ deposited: '0.000', position: '0' });
    expect(after.data?.ledgerIntegrity).toMatchObject({
      deposited: '0.001',
      balances: '0.001',
      consistent: true,
      position: deposited.position,
    });
  });

  it('refuses a currency that is not ISO 4217, naming the field', async () => {
    for (const currency of ['usd', 'XYZ', '']) {
      const result = await graphql(tally, LEDGER_INTEGRITY, { currency }, { as: 'auditor' });
      expect(result.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'currency',
      });
    }
  });

  it('answers auditors and admins only', async () => {
    for (const role of ['customer', 'teller'] as const) {
      const result = await graphql(tally, LEDGER_INTEGRITY, { currency: 'USD' }, { as: role });
      expect(result.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
      expect(result.data?.ledgerIntegrity ?? null).toBeNull();
    }
  });

  it('says inconsistent when a balance in the read model no longer adds up', async () => {
    const a = await openAccount(tally, { currency: 'JOD' });
    // A single-event append: its position is passed only once the account is at revision 1.
    const deposited = await deposit(tally, a.accountId, '2');
    await tally.projector.progress.waitFor(BigInt(deposited.position), 5000);
    await tally.models.accounts.updateOne({ _id: a.accountId }, { $set: { balance: 2001 } });

    const result = await graphql(tally, LEDGER_INTEGRITY, { currency: 'JOD' }, { as: 'auditor' });
    expect(result.data?.ledgerIntegrity).toMatchObject({
      consistent: false,
      balances: '2.001',
      deposited: '2.000',
    });
  });
});
