import {
  AccountNotFoundError,
  AccountNotOpenError,
  CurrencyMismatchError,
  ValidationError,
} from '../errors.js';
import { parseId, parseText } from '../ids.js';
import { formatMinor, parseCurrency, parseMoney } from '../money.js';
import type { AccountCommand } from './commands.js';
import { chargeFee, payInterest, setInterestRate } from './decide-fees.js';
import { captureHold, expireHold, placeHold, releaseHold } from './decide-holds.js';
import { reverseTransaction } from './decide-reversal.js';
import type { AccountEvent } from './events.js';
import {
  credit,
  DESCRIPTION,
  debit,
  movement,
  REASON,
  requireExisting,
  requireOpen,
} from './rules.js';
import type { AccountState } from './state.js';

/** Decides which events a command produces against the folded state. Pure: no I/O, no clock. */
export function decideAccount(command: AccountCommand, state: AccountState): AccountEvent[] {
  if (command.type === 'OpenAccount') return openAccount(command.accountId, command.data, state);
  switch (command.type) {
    case 'DepositMoney': {
      const description = parseText(command.data.description ?? '', 'description', DESCRIPTION);
      const account = requireOpen(state, command.accountId);
      const { minor } = parseMoney(command.data.amount, account.currency, 'amount');
      return [
        {
          type: 'MoneyDeposited',
          data: movement(account, minor, credit(account, minor, 'amount'), description),
        },
      ];
    }
    case 'WithdrawMoney': {
      const description = parseText(command.data.description ?? '', 'description', DESCRIPTION);
      const account = requireOpen(state, command.accountId);
      const { minor } = parseMoney(command.data.amount, account.currency, 'amount');
      return [
        {
          type: 'MoneyWithdrawn',
          data: movement(account, minor, debit(account, minor), description),
        },
      ];
    }
    case 'SendTransfer': {
      const description = parseText(command.data.description ?? '', 'description', DESCRIPTION);
      const toAccountId = parseId(command.data.toAccountId, 'toAccountId');
      const account = requireOpen(state, command.accountId);
      const { transferId } = command.data;
      if (toAccountId === account.id) {
        throw new ValidationError('toAccountId', 'must differ from fromAccountId');
      }
      const { minor } = parseMoney(command.data.amount, account.currency, 'amount');
      return [
        {
          type: 'TransferSent',
          data: {
            ...movement(account, minor, debit(account, minor), description),
            transferId,
            toAccountId,
          },
        },
      ];
    }
    case 'ReceiveTransfer': {
      const account = requireOpen(state, command.accountId);
      const { amount, currency, transferId, fromAccountId, description } = command.data;
      if (currency !== account.currency) {
        throw new CurrencyMismatchError(account.id, account.currency, currency);
      }
      return [
        {
          type: 'TransferReceived',
          data: {
            ...movement(account, amount, credit(account, amount, 'amount'), description),
            transferId,
            fromAccountId,
          },
        },
      ];
    }
    case 'RefundTransfer': {
      // A refund gives back money the account already sent, so it is owed whatever the
      // account's status is now: refusing it would make the money vanish.
      if (!state.exists) throw new AccountNotFoundError(command.accountId);
      const { amount, transferId, toAccountId, reason } = command.data;
      // Only a transfer still in flight can be refunded: one already refunded or delivered
      // would be paid back twice, creating money.
      if (!state.transfersInFlight.has(transferId)) return [];
      return [
        {
          type: 'TransferRefunded',
          data: {
            ...movement(state, amount, state.balance + amount),
            transferId,
            toAccountId,
            reason,
          },
        },
      ];
    }
    case 'FreezeAccount': {
      const reason = parseText(command.data.reason, 'reason', REASON)!;
      const account = requireOpen(state, command.accountId);
      return [{ type: 'AccountFrozen', data: { accountId: account.id, reason } }];
    }
    case 'UnfreezeAccount': {
      const reason = parseText(command.data.reason, 'reason', REASON)!;
      const account = requireExisting(state, command.accountId);
      if (account.status !== 'FROZEN') {
        throw new ValidationError(
          'accountId',
          `account is ${account.status.toLowerCase()}, not frozen`,
        );
      }
      return [{ type: 'AccountUnfrozen', data: { accountId: account.id, reason } }];
    }
    case 'CloseAccount': {
      const reason = parseText(command.data.reason, 'reason', REASON)!;
      const account = requireExisting(state, command.accountId);
      if (account.status === 'CLOSED') throw new AccountNotOpenError(account.id, account.status);
      if (account.balance !== 0) {
        throw new ValidationError(
          'accountId',
          `an account can be closed only at zero balance; it holds ${formatMinor(account.balance, account.currency)} ${account.currency}`,
        );
      }
      // A transfer in flight may still be refunded; that money must have an open account to land in.
      if (account.transfersInFlight.size > 0) {
        throw new ValidationError(
          'accountId',
          `an account cannot be closed while ${account.transfersInFlight.size} of its transfers are in flight; try again once they settle`,
        );
      }
      // Held money is promised to a capture; the account must stay to pay it.
      if (account.activeHolds.size > 0) {
        throw new ValidationError(
          'accountId',
          `an account cannot be closed while ${account.activeHolds.size} of its holds are active; capture or release them first`,
        );
      }
      return [{ type: 'AccountClosed', data: { accountId: account.id, reason } }];
    }
    case 'ConfirmTransferDelivered': {
      const account = requireExisting(state, command.accountId);
      const { transferId, toAccountId } = command.data;
      if (!account.transfersInFlight.has(transferId)) return [];
      return [
        { type: 'TransferDelivered', data: { accountId: account.id, transferId, toAccountId } },
      ];
    }
    case 'PlaceHold':
      return placeHold(command, state);
    case 'CaptureHold':
      return captureHold(command, state);
    case 'ReleaseHold':
      return releaseHold(command, state);
    case 'ExpireHold':
      return expireHold(command, state);
    case 'ChargeFee':
      return chargeFee(command, state);
    case 'SetInterestRate':
      return setInterestRate(command, state);
    case 'PayInterest':
      return payInterest(command, state);
    case 'ReverseTransaction':
      return reverseTransaction(command, state);
    default: {
      const unexpected: never = command;
      throw new Error(`unknown command ${JSON.stringify(unexpected)}`);
    }
  }
}

function openAccount(
  accountId: string,
  data: Extract<AccountCommand, { type: 'OpenAccount' }>['data'],
  state: AccountState,
): AccountEvent[] {
  if (state.exists)
    throw new ValidationError('accountId', 'an account with this id already exists');
  const currency = parseCurrency(data.currency, 'currency');
  const opened: AccountEvent = {
    type: 'AccountOpened',
    data: { accountId, ownerId: data.ownerId, currency },
  };
  if (data.initialDeposit === undefined) return [opened];
  const { minor } = parseMoney(data.initialDeposit, currency, 'initialDeposit');
  return [
    opened,
    {
      type: 'MoneyDeposited',
      data: { accountId, amount: minor, currency, balanceAfter: minor },
    },
  ];
}
