import {
  AccountNotFoundError,
  AccountNotOpenError,
  InsufficientFundsError,
  ValidationError,
} from '../errors.js';
import { type CurrencyCode, MAX_MINOR_UNITS, money } from '../money.js';
import type { AccountState, ExistingAccountState } from './state.js';
import { availableBalance } from './state.js';

/** Rules every account command shares: the account must exist or be open, money must fit. */

export const REASON = { required: true, maxLength: 500 } as const;
export const DESCRIPTION = { required: false, maxLength: 500 } as const;

export function requireExisting(state: AccountState, accountId: string): ExistingAccountState {
  if (!state.exists) throw new AccountNotFoundError(accountId);
  return state;
}

export function requireOpen(state: AccountState, accountId: string): ExistingAccountState {
  const account = requireExisting(state, accountId);
  if (account.status !== 'OPEN') throw new AccountNotOpenError(account.id, account.status);
  return account;
}

/** The balance after a credit, refused above the largest balance Tally holds. */
export function credit(account: ExistingAccountState, minor: number, field: string): number {
  const balance = account.balance + minor;
  if (balance > MAX_MINOR_UNITS) {
    throw new ValidationError(field, 'would take the balance above the largest amount Tally holds');
  }
  return balance;
}

/**
 * The balance after a debit. Only the available balance may be taken: money under an active
 * hold is promised to its capture, so the balance never falls below the holds.
 */
export function debit(account: ExistingAccountState, minor: number): number {
  const available = availableBalance(account);
  if (minor > available) {
    throw new InsufficientFundsError(
      account.id,
      money(available, account.currency),
      money(minor, account.currency),
    );
  }
  return account.balance - minor;
}

export function movement(
  account: { id: string; currency: CurrencyCode },
  amount: number,
  balanceAfter: number,
  description?: string,
) {
  return {
    accountId: account.id,
    amount,
    currency: account.currency,
    balanceAfter,
    ...(description === undefined ? {} : { description }),
  };
}
