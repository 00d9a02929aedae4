import { describe, expect, it } from 'vitest';
import { type AccountEvent, accountDecider } from '../../src/domain/account/index.js';
import { HoldNotActiveError, HoldNotFoundError } from '../../src/domain/banking-errors.js';
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
const holdId = '7d0c1c8e-5555-4c55-9a86-3b9fd7c1a001';
const otherHold = '7d0c1c8e-6666-4c55-9a86-3b9fd7c1a001';
const USD = 'USD' as CurrencyCode;

const NOW = '2026-03-10T12:00:00.000Z';
const IN_7_DAYS = '2026-03-17T12:00:00.000Z';

const opened: AccountEvent = { type: 'AccountOpened', data: { accountId, ownerId, currency: USD } };
const deposited = (amount: number, balanceAfter: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { accountId, amount, currency: USD, balanceAfter },
});
const reserved = (id: string, amount: number, heldAfter: number): AccountEvent => ({
  type: 'FundsReserved',
  data: {
    accountId,
    holdId: id,
    amount,
    currency: USD,
    reason: 'card authorisation',
    placedAt: NOW,
    expiresAt: IN_7_DAYS,
    heldAfter,
  },
});
const frozen: AccountEvent = { type: 'AccountFrozen', data: { accountId, reason: 'fraud check' } };

const place = (amount: string, extra: { expiresAt?: string; at?: string } = {}) =>
  ({
    type: 'PlaceHold',
    accountId,
    data: { holdId, amount, reason: 'card authorisation', at: NOW, ...extra },
  }) as const;
const capture = (amount?: string, at = '2026-03-11T09:00:00.000Z') =>
  ({
    type: 'CaptureHold',
    accountId,
    data: { holdId, at, ...(amount === undefined ? {} : { amount }) },
  }) as const;
const release = {
  type: 'ReleaseHold',
  accountId,
  data: { holdId, reason: 'order cancelled', at: '2026-03-11T09:00:00.000Z' },
} as const;
const expire = (at: string) => ({ type: 'ExpireHold', accountId, data: { holdId, at } }) as const;

describe('holds: placing', () => {
  it('reserves money for 7 days by default, holding it without moving the balance', () => {
    spec
      .given([opened, deposited(10_000, 10_000)])
      .when(place('30.00'))
      .thenEmits([reserved(holdId, 3000, 3000)]);
  });

  it('may hold exactly the available balance, but not one minor unit more', () => {
    const given = [opened, deposited(10_000, 10_000), reserved(otherHold, 4000, 4000)];
    spec
      .given(given)
      .when(place('60.00'))
      .thenEmits([reserved(holdId, 6000, 10_000)]);
    spec
      .given(given)
      .when(place('60.01'))
      .thenThrows(InsufficientFundsError, (e) => {
        expect(e.available).toEqual({ minor: 6000, currency: USD });
        expect(e.requested).toEqual({ minor: 6001, currency: USD });
      });
  });

  it('takes expiresAt in the future and within 30 days, judged against the command time', () => {
    const given = [opened, deposited(10_000, 10_000)];
    spec
      .given(given)
      .when(place('1', { expiresAt: '2026-04-09T12:00:00.000Z' })) // exactly 30 days
      .thenEmits([
        {
          ...reserved(holdId, 100, 100),
          data: {
            ...(reserved(holdId, 100, 100).data as object),
            expiresAt: '2026-04-09T12:00:00.000Z',
          },
        } as AccountEvent,
      ]);
    for (const expiresAt of ['2026-04-09T12:00:00.001Z', NOW, '2026-03-01T00:00:00.000Z']) {
      spec
        .given(given)
        .when(place('1', { expiresAt }))
        .thenThrows(ValidationError, (e) => expect(e.field).toBe('expiresAt'));
    }
  });

  it('refuses a new hold on a frozen account', () => {
    spec
      .given([opened, deposited(10_000, 10_000), frozen])
      .when(place('1'))
      .thenThrows(AccountNotOpenError, (e) => expect(e.status).toBe('FROZEN'));
  });
});

describe('holds: the available balance', () => {
  it('limits withdrawals, transfers and fees to the balance minus active holds', () => {
    const given = [opened, deposited(10_000, 10_000), reserved(holdId, 7000, 7000)];
    spec
      .given(given)
      .when({ type: 'WithdrawMoney', accountId, data: { amount: '30.01' } })
      .thenThrows(InsufficientFundsError, (e) => expect(e.available.minor).toBe(3000));
    spec
      .given(given)
      .when({
        type: 'SendTransfer',
        accountId,
        data: { transferId: otherHold, toAccountId: ownerId, amount: '30.01' },
      })
      .thenThrows(InsufficientFundsError);
    spec
      .given(given)
      .when({ type: 'ChargeFee', accountId, data: { amount: '30.01', reason: 'late' } })
      .thenThrows(InsufficientFundsError);
    spec
      .given(given)
      .when({ type: 'WithdrawMoney', accountId, data: { amount: '30.00' } })
      .thenEmits([
        {
          type: 'MoneyWithdrawn',
          data: { accountId, amount: 3000, currency: USD, balanceAfter: 7000 },
        },
      ]);
  });

  it('keeps an account with active holds from closing', () => {
    spec
      .given([opened, reserved(holdId, 0, 0)])
      .when({ type: 'CloseAccount', accountId, data: { reason: 'leaving' } })
      .thenThrows(ValidationError, (e) => expect(e.message).toMatch(/holds are active/));
  });
});

describe('holds: capturing', () => {
  const given = [opened, deposited(10_000, 10_000), reserved(holdId, 3000, 3000)];

  it('captures all of the hold by default: the money leaves the account', () => {
    spec
      .given(given)
      .when(capture())
      .thenEmits([
        {
          type: 'HoldCaptured',
          data: {
            accountId,
            amount: 3000,
            currency: USD,
            balanceAfter: 7000,
            holdId,
            released: 0,
            heldAfter: 0,
            capturedAt: '2026-03-11T09:00:00.000Z',
          },
        },
      ]);
  });

  it('captures an amount equal to the hold, or part of it releasing the rest, never more', () => {
    spec
      .given(given)
      .when(capture('30.00'))
      .thenEmits([
        expect.objectContaining({
          type: 'HoldCaptured',
          data: expect.objectContaining({ amount: 3000, released: 0 }),
        }),
      ]);
    spec
      .given(given)
      .when(capture('12.50'))
      .thenEmits([
        expect.objectContaining({
          data: expect.objectContaining({
            amount: 1250,
            released: 1750,
            balanceAfter: 8750,
            heldAfter: 0,
          }),
        }),
      ]);
    spec
      .given(given)
      .when(capture('30.01'))
      .thenThrows(ValidationError, (e) => {
        expect(e.field).toBe('amount');
        expect(e.message).toMatch(/30\.00 USD/);
      });
  });

  it('refuses a capture on a frozen account, but lets a release through', () => {
    spec
      .given([...given, frozen])
      .when(capture())
      .thenThrows(AccountNotOpenError);
    spec
      .given([...given, frozen])
      .when(release)
      .thenEmits([
        {
          type: 'FundsReleased',
          data: {
            accountId,
            holdId,
            amount: 3000,
            currency: USD,
            heldAfter: 0,
            reason: 'order cancelled',
            releasedAt: '2026-03-11T09:00:00.000Z',
          },
        },
      ]);
  });

  it('names a hold that does not exist, and one that is no longer active with its status', () => {
    spec.given([opened]).when(capture()).thenThrows(HoldNotFoundError);
    const captured: AccountEvent = {
      type: 'HoldCaptured',
      data: {
        accountId,
        amount: 3000,
        currency: USD,
        balanceAfter: 7000,
        holdId,
        released: 0,
        heldAfter: 0,
        capturedAt: '2026-03-11T09:00:00.000Z',
      },
    };
    spec
      .given([...given, captured])
      .when(release)
      .thenThrows(HoldNotActiveError, (e) => expect(e.status).toBe('CAPTURED'));
    spec
      .given([...given, captured])
      .when(capture())
      .thenThrows(HoldNotActiveError, (e) => expect(e.status).toBe('CAPTURED'));
  });
});

describe('holds: expiry', () => {
  const given = [opened, deposited(10_000, 10_000), reserved(holdId, 3000, 3000)];
  const expired: AccountEvent = {
    type: 'HoldExpired',
    data: { accountId, holdId, amount: 3000, currency: USD, heldAfter: 0, expiredAt: IN_7_DAYS },
  };

  it('expires a hold at its expiresAt, dated by the process clock, not before', () => {
    spec.given(given).when(expire(IN_7_DAYS)).thenEmits([expired]);
    spec.given(given).when(expire('2026-03-17T11:59:59.999Z')).thenNothingHappens();
  });

  it('expires a hold once: a repeated expiry changes nothing', () => {
    spec
      .given([...given, expired])
      .when(expire('2026-03-18T00:00:00.000Z'))
      .thenNothingHappens();
  });

  it('races a capture whole: whichever reaches the stream first wins, never both', () => {
    // The capture came first: the expiry finds nothing active.
    spec
      .given([...given, (captureEvents(given) as AccountEvent[])[0]!])
      .when(expire(IN_7_DAYS))
      .thenNothingHappens();
    // The expiry came first: the capture is refused and names the status.
    spec
      .given([...given, expired])
      .when(capture())
      .thenThrows(HoldNotActiveError, (e) => expect(e.status).toBe('EXPIRED'));
    // A capture at or after expiresAt is too late even before the expiry is recorded.
    spec
      .given(given)
      .when(capture(undefined, IN_7_DAYS))
      .thenThrows(HoldNotActiveError, (e) => expect(e.status).toBe('EXPIRED'));
  });

  it('gives the expired amount back to the available balance', () => {
    spec
      .given([...given, expired])
      .when({ type: 'WithdrawMoney', accountId, data: { amount: '100.00' } })
      .thenEmits([
        {
          type: 'MoneyWithdrawn',
          data: { accountId, amount: 10_000, currency: USD, balanceAfter: 0 },
        },
      ]);
  });
});

function captureEvents(given: AccountEvent[]) {
  const state = given.reduce(accountDecider.evolve, accountDecider.initialState);
  return accountDecider.decide(capture(), state);
}
