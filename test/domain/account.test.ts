import { describe, expect, it } from 'vitest';
import { type AccountEvent, accountDecider } from '../../src/domain/account/index.js';
import {
  AccountNotFoundError,
  AccountNotOpenError,
  CurrencyMismatchError,
  InsufficientFundsError,
  ValidationError,
} from '../../src/domain/errors.js';
import type { CurrencyCode } from '../../src/domain/money.js';
import { deciderSpecification } from '../support/decider-specification.js';

const spec = deciderSpecification(accountDecider);
const accountId = '7d0c1c8e-1111-4c55-9a86-3b9fd7c1a001';
const ownerId = '7d0c1c8e-2222-4c55-9a86-3b9fd7c1a001';
const otherId = '7d0c1c8e-3333-4c55-9a86-3b9fd7c1a001';
const transferId = '7d0c1c8e-4444-4c55-9a86-3b9fd7c1a001';
const USD = 'USD' as CurrencyCode;

const opened: AccountEvent = { type: 'AccountOpened', data: { accountId, ownerId, currency: USD } };
const deposited = (amount: number, balanceAfter: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { accountId, amount, currency: USD, balanceAfter },
});
const frozen: AccountEvent = { type: 'AccountFrozen', data: { accountId, reason: 'fraud check' } };
const closed: AccountEvent = {
  type: 'AccountClosed',
  data: { accountId, reason: 'customer left' },
};

const refund = {
  type: 'RefundTransfer',
  accountId,
  data: { transferId, toAccountId: otherId, amount: 300, currency: 'USD', reason: 'target frozen' },
} as const;

describe('account decider', () => {
  it('opens an account, with an initial deposit when given', () => {
    spec
      .given([])
      .when({
        type: 'OpenAccount',
        accountId,
        data: { ownerId, currency: 'USD', initialDeposit: '12.5' },
      })
      .thenEmits([opened, deposited(1250, 1250)]);
  });

  it('refuses to open an account twice, or in an unknown currency', () => {
    spec
      .given([opened])
      .when({ type: 'OpenAccount', accountId, data: { ownerId, currency: 'USD' } })
      .thenThrows(ValidationError, (e) => expect(e.field).toBe('accountId'));
    spec
      .given([])
      .when({ type: 'OpenAccount', accountId, data: { ownerId, currency: 'ABC' } })
      .thenThrows(ValidationError, (e) => expect(e.field).toBe('currency'));
  });

  it('deposits, carrying the balance after the movement', () => {
    spec
      .given([opened, deposited(1000, 1000)])
      .when({ type: 'DepositMoney', accountId, data: { amount: '0.05', description: 'interest' } })
      .thenEmits([
        {
          type: 'MoneyDeposited',
          data: {
            accountId,
            amount: 5,
            currency: USD,
            balanceAfter: 1005,
            description: 'interest',
          },
        },
      ]);
  });

  it('withdraws down to zero but never below', () => {
    spec
      .given([opened, deposited(1000, 1000)])
      .when({ type: 'WithdrawMoney', accountId, data: { amount: '10' } })
      .thenEmits([
        {
          type: 'MoneyWithdrawn',
          data: { accountId, amount: 1000, currency: USD, balanceAfter: 0 },
        },
      ]);
    spec
      .given([opened, deposited(1000, 1000)])
      .when({ type: 'WithdrawMoney', accountId, data: { amount: '10.01' } })
      .thenThrows(InsufficientFundsError, (e) => {
        expect(e.available).toEqual({ minor: 1000, currency: 'USD' });
        expect(e.requested).toEqual({ minor: 1001, currency: 'USD' });
      });
  });

  it('reports a missing account as not found', () => {
    spec
      .given([])
      .when({ type: 'DepositMoney', accountId, data: { amount: '1' } })
      .thenThrows(AccountNotFoundError, (e) => expect(e.accountId).toBe(accountId));
  });

  it('refuses movements on a frozen or closed account', () => {
    spec
      .given([opened, deposited(500, 500), frozen])
      .when({ type: 'WithdrawMoney', accountId, data: { amount: '1' } })
      .thenThrows(AccountNotOpenError, (e) => expect(e.status).toBe('FROZEN'));
    spec
      .given([opened, closed])
      .when({ type: 'DepositMoney', accountId, data: { amount: '1' } })
      .thenThrows(AccountNotOpenError, (e) => expect(e.status).toBe('CLOSED'));
  });

  it('freezes and unfreezes with a reason, which must not be blank', () => {
    spec
      .given([opened])
      .when({ type: 'FreezeAccount', accountId, data: { reason: ' fraud check ' } })
      .thenEmits([frozen]);
    spec
      .given([opened, frozen])
      .when({ type: 'UnfreezeAccount', accountId, data: { reason: 'cleared' } })
      .thenEmits([{ type: 'AccountUnfrozen', data: { accountId, reason: 'cleared' } }]);
    spec
      .given([opened])
      .when({ type: 'FreezeAccount', accountId, data: { reason: '   ' } })
      .thenThrows(ValidationError, (e) => expect(e.field).toBe('reason'));
    spec
      .given([opened])
      .when({ type: 'UnfreezeAccount', accountId, data: { reason: 'why not' } })
      .thenThrows(ValidationError);
  });

  it('closes only at zero balance, and a closed account cannot be reopened', () => {
    spec
      .given([opened, deposited(1, 1)])
      .when({ type: 'CloseAccount', accountId, data: { reason: 'done' } })
      .thenThrows(ValidationError, (e) => expect(e.message).toMatch(/zero balance/));
    spec
      .given([opened])
      .when({ type: 'CloseAccount', accountId, data: { reason: 'customer left' } })
      .thenEmits([closed]);
    spec
      .given([opened, closed])
      .when({ type: 'UnfreezeAccount', accountId, data: { reason: 'reopen' } })
      .thenThrows(ValidationError);
    spec
      .given([opened, closed])
      .when({ type: 'CloseAccount', accountId, data: { reason: 'again' } })
      .thenThrows(AccountNotOpenError);
  });

  it('sends a transfer by debiting at once, never to itself', () => {
    spec
      .given([opened, deposited(1000, 1000)])
      .when({
        type: 'SendTransfer',
        accountId,
        data: { transferId, toAccountId: otherId, amount: '4' },
      })
      .thenEmits([
        {
          type: 'TransferSent',
          data: {
            accountId,
            amount: 400,
            currency: USD,
            balanceAfter: 600,
            transferId,
            toAccountId: otherId,
          },
        },
      ]);
    spec
      .given([opened, deposited(1000, 1000)])
      .when({
        type: 'SendTransfer',
        accountId,
        data: { transferId, toAccountId: accountId, amount: '4' },
      })
      .thenThrows(ValidationError, (e) => expect(e.field).toBe('toAccountId'));
  });

  it('receives a transfer only when open and in the same currency', () => {
    const receive = (currency: string) =>
      ({
        type: 'ReceiveTransfer',
        accountId,
        data: { transferId, fromAccountId: otherId, amount: 300, currency },
      }) as const;
    spec
      .given([opened])
      .when(receive('USD'))
      .thenEmits([
        {
          type: 'TransferReceived',
          data: {
            accountId,
            amount: 300,
            currency: USD,
            balanceAfter: 300,
            transferId,
            fromAccountId: otherId,
          },
        },
      ]);
    spec.given([opened]).when(receive('EUR')).thenThrows(CurrencyMismatchError);
    spec.given([opened, frozen]).when(receive('USD')).thenThrows(AccountNotOpenError);
    spec.given([]).when(receive('USD')).thenThrows(AccountNotFoundError);
  });

  it('takes a refund whatever its status, because the money was already its own', () => {
    const sent: AccountEvent = {
      type: 'TransferSent',
      data: {
        accountId,
        amount: 300,
        currency: USD,
        balanceAfter: 0,
        transferId,
        toAccountId: otherId,
      },
    };
    spec
      .given([opened, deposited(300, 300), sent, frozen])
      .when(refund)
      .thenEmits([
        {
          type: 'TransferRefunded',
          data: {
            accountId,
            amount: 300,
            currency: USD,
            balanceAfter: 300,
            transferId,
            toAccountId: otherId,
            reason: 'target frozen',
          },
        },
      ]);
  });

  it('refunds a transfer only while it is in flight: never twice, never after delivery', () => {
    spec.given([opened]).when(refund).thenNothingHappens();
  });

  it('cannot close while a transfer it sent is in flight; delivery or refund settles it', () => {
    const sent: AccountEvent = {
      type: 'TransferSent',
      data: {
        accountId,
        amount: 100,
        currency: USD,
        balanceAfter: 0,
        transferId,
        toAccountId: otherId,
      },
    };
    const close = { type: 'CloseAccount', accountId, data: { reason: 'leaving' } } as const;
    spec
      .given([opened, deposited(100, 100), sent])
      .when(close)
      .thenThrows(ValidationError, (e) =>
        expect(e.message).toMatch(/1 of its transfers are in flight/),
      );
    spec
      .given([opened, deposited(100, 100), sent])
      .when({
        type: 'ConfirmTransferDelivered',
        accountId,
        data: { transferId, toAccountId: otherId },
      })
      .thenEmits([
        { type: 'TransferDelivered', data: { accountId, transferId, toAccountId: otherId } },
      ]);
    spec
      .given([
        opened,
        deposited(100, 100),
        sent,
        { type: 'TransferDelivered', data: { accountId, transferId, toAccountId: otherId } },
      ])
      .when(close)
      .thenEmits([{ type: 'AccountClosed', data: { accountId, reason: 'leaving' } }]);
    const refunded: AccountEvent = {
      type: 'TransferRefunded',
      data: {
        accountId,
        amount: 100,
        currency: USD,
        balanceAfter: 100,
        transferId,
        toAccountId: otherId,
        reason: 'frozen',
      },
    };
    spec
      .given([
        opened,
        deposited(100, 100),
        sent,
        refunded,
        {
          type: 'MoneyWithdrawn',
          data: { accountId, amount: 100, currency: USD, balanceAfter: 0 },
        },
      ])
      .when(close)
      .thenEmits([{ type: 'AccountClosed', data: { accountId, reason: 'leaving' } }]);
  });

  it('confirming a delivery it does not know of, or twice, changes nothing', () => {
    spec
      .given([opened])
      .when({
        type: 'ConfirmTransferDelivered',
        accountId,
        data: { transferId, toAccountId: otherId },
      })
      .thenNothingHappens();
  });
});
