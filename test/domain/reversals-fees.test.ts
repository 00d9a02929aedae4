import { describe, expect, it } from 'vitest';
import type { OriginalTransaction } from '../../src/domain/account/commands.js';
import { type AccountEvent, accountDecider } from '../../src/domain/account/index.js';
import {
  AlreadyReversedError,
  ReversalWindowClosedError,
  TransactionNotFoundError,
} from '../../src/domain/banking-errors.js';
import {
  AccountNotOpenError,
  InsufficientFundsError,
  ValidationError,
} from '../../src/domain/errors.js';
import type { CurrencyCode } from '../../src/domain/money.js';
import { deciderSpecification } from '../support/decider-specification.js';

const spec = deciderSpecification(accountDecider);
const accountId = '7d0c1c8e-1111-4c55-9a86-3b9fd7c1a001';
const ownerId = '7d0c1c8e-2222-4c55-9a86-3b9fd7c1a001';
const USD = 'USD' as CurrencyCode;

const opened: AccountEvent = { type: 'AccountOpened', data: { accountId, ownerId, currency: USD } };
const deposit = { accountId, amount: 5000, currency: USD, balanceAfter: 5000 };
const deposited: AccountEvent = { type: 'MoneyDeposited', data: deposit };
const withdrawn: AccountEvent = {
  type: 'MoneyWithdrawn',
  data: { accountId, amount: 2000, currency: USD, balanceAfter: 3000 },
};
const frozen: AccountEvent = { type: 'AccountFrozen', data: { accountId, reason: 'fraud check' } };

/** The deposit at revision 1 happened at 15:00 on January 1. */
const DEPOSITED_AT = '2026-01-01T15:00:00.000Z';
const original = (revision: number, event: AccountEvent): OriginalTransaction => ({
  revision,
  type: event.type,
  data: event.data,
  occurredAt: DEPOSITED_AT,
});
const reverse = (revision: number, event: AccountEvent, at: string) =>
  ({
    type: 'ReverseTransaction',
    accountId,
    data: {
      transactionId: `${accountId}:${revision}`,
      original: original(revision, event),
      reason: 'posted in error',
      at,
    },
  }) as const;

describe('reversals', () => {
  it('reverses a deposit with a compensating movement that points at it', () => {
    spec
      .given([opened, deposited])
      .when(reverse(1, deposited, '2026-01-02T00:00:00.000Z'))
      .thenEmits([
        {
          type: 'TransactionReversed',
          data: {
            accountId,
            amount: 5000,
            currency: USD,
            balanceAfter: 0,
            reverses: `${accountId}:1`,
            reversedKind: 'DEPOSIT',
            direction: 'OUT',
            reason: 'posted in error',
          },
        },
      ]);
  });

  it('is open through day 30 after the original (UTC days) and closed on day 31', () => {
    spec
      .given([opened, deposited])
      .when(reverse(1, deposited, '2026-01-31T23:59:59.999Z'))
      .thenEmits([expect.objectContaining({ type: 'TransactionReversed' })]);
    spec
      .given([opened, deposited])
      .when(reverse(1, deposited, '2026-02-01T00:00:00.000Z'))
      .thenThrows(ReversalWindowClosedError, (e) => {
        expect(e.originalOccurredAt).toEqual(new Date(DEPOSITED_AT));
        expect(e.windowDays).toBe(30);
      });
  });

  it('reverses a transaction only once, naming the reversal', () => {
    const reversed: AccountEvent = {
      type: 'TransactionReversed',
      data: {
        accountId,
        amount: 2000,
        currency: USD,
        balanceAfter: 5000,
        reverses: `${accountId}:2`,
        reversedKind: 'WITHDRAWAL',
        direction: 'IN',
        reason: 'posted in error',
      },
    };
    spec
      .given([opened, deposited, withdrawn, reversed])
      .when(reverse(2, withdrawn, '2026-01-02T00:00:00.000Z'))
      .thenThrows(AlreadyReversedError, (e) => expect(e.reversalId).toBe(`${accountId}:3`));
  });

  it('reverses deposits, withdrawals, fees and captures; a transfer is a ValidationError', () => {
    const sent: AccountEvent = {
      type: 'TransferSent',
      data: {
        accountId,
        amount: 1000,
        currency: USD,
        balanceAfter: 4000,
        transferId: ownerId,
        toAccountId: ownerId,
      },
    };
    spec
      .given([opened, deposited, sent])
      .when(reverse(2, sent, '2026-01-02T00:00:00.000Z'))
      .thenThrows(ValidationError, (e) => {
        expect(e.field).toBe('transactionId');
        expect(e.message).toMatch(/TRANSFER_OUT.*transfer back/);
      });
    spec
      .given([opened, deposited, frozen])
      .when(reverse(2, frozen, '2026-01-02T00:00:00.000Z'))
      .thenThrows(TransactionNotFoundError);
  });

  it('refuses to take back a deposit already spent', () => {
    spec
      .given([opened, deposited, withdrawn])
      .when(reverse(1, deposited, '2026-01-02T00:00:00.000Z'))
      .thenThrows(InsufficientFundsError, (e) => expect(e.available.minor).toBe(3000));
  });

  it('pays a withdrawal back into a frozen account, but not into a closed one', () => {
    spec
      .given([opened, deposited, withdrawn, frozen])
      .when(reverse(2, withdrawn, '2026-01-02T00:00:00.000Z'))
      .thenEmits([
        expect.objectContaining({
          data: expect.objectContaining({ direction: 'IN', balanceAfter: 5000 }),
        }),
      ]);
    spec
      .given([opened, deposited, frozen])
      .when(reverse(1, deposited, '2026-01-02T00:00:00.000Z'))
      .thenThrows(AccountNotOpenError, (e) => expect(e.status).toBe('FROZEN'));
    const emptied: AccountEvent = {
      type: 'MoneyWithdrawn',
      data: { accountId, amount: 3000, currency: USD, balanceAfter: 0 },
    };
    const closed: AccountEvent = { type: 'AccountClosed', data: { accountId, reason: 'left' } };
    spec
      .given([opened, deposited, withdrawn, emptied, closed])
      .when(reverse(2, withdrawn, '2026-01-02T00:00:00.000Z'))
      .thenThrows(AccountNotOpenError, (e) => expect(e.status).toBe('CLOSED'));
  });
});

describe('fees and interest rates', () => {
  it('charges a fee with its reason from the available balance', () => {
    spec
      .given([opened, deposited])
      .when({ type: 'ChargeFee', accountId, data: { amount: '2.50', reason: 'monthly fee' } })
      .thenEmits([
        {
          type: 'FeeCharged',
          data: {
            accountId,
            amount: 250,
            currency: USD,
            balanceAfter: 4750,
            reason: 'monthly fee',
          },
        },
      ]);
    spec
      .given([opened, deposited])
      .when({ type: 'ChargeFee', accountId, data: { amount: '50.01', reason: 'too much' } })
      .thenThrows(InsufficientFundsError);
  });

  it('sets a rate between 0 and 1 with at most 6 digits, in canonical form', () => {
    spec
      .given([opened])
      .when({
        type: 'SetInterestRate',
        accountId,
        data: { annualRate: '0.0350', reason: 'tariff' },
      })
      .thenEmits([
        { type: 'InterestRateChanged', data: { accountId, annualRate: '0.035', reason: 'tariff' } },
      ]);
    for (const annualRate of ['1.000001', '0.1234567', '-0.01', 'abc']) {
      spec
        .given([opened])
        .when({ type: 'SetInterestRate', accountId, data: { annualRate, reason: 'tariff' } })
        .thenThrows(ValidationError, (e) => expect(e.field).toBe('annualRate'));
    }
  });

  it('pays a month once; a repeat, an earlier month or a zero amount changes nothing', () => {
    const period = {
      periodStart: '2026-01-01T00:00:00.000Z',
      periodEnd: '2026-02-01T00:00:00.000Z',
      rate: '0.0365',
      days: 31,
    };
    const pay = (amount: number, p = period) =>
      ({ type: 'PayInterest', accountId, data: { ...p, amount } }) as const;
    const paid: AccountEvent = {
      type: 'InterestPaid',
      data: { accountId, amount: 310, currency: USD, balanceAfter: 5310, ...period },
    };
    spec.given([opened, deposited]).when(pay(310)).thenEmits([paid]);
    spec.given([opened, deposited, paid]).when(pay(310)).thenNothingHappens();
    spec
      .given([opened, deposited, paid])
      .when(
        pay(5, {
          ...period,
          periodStart: '2025-12-01T00:00:00.000Z',
          periodEnd: period.periodStart,
        }),
      )
      .thenNothingHappens();
    spec.given([opened, deposited]).when(pay(0)).thenNothingHappens();
  });
});
