import type { AccountStatus } from '../errors.js';
import type { CurrencyCode } from '../money.js';
import type { AccountEvent } from './events.js';

export type AccountState =
  | { readonly exists: false }
  | {
      readonly exists: true;
      readonly id: string;
      readonly ownerId: string;
      readonly currency: CurrencyCode;
      readonly balance: number;
      readonly status: AccountStatus;
    };

export const initialAccountState: AccountState = { exists: false };

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountOpened') {
    const { accountId, ownerId, currency } = event.data;
    return { exists: true, id: accountId, ownerId, currency, balance: 0, status: 'OPEN' };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'MoneyDeposited':
    case 'MoneyWithdrawn':
    case 'TransferSent':
    case 'TransferReceived':
    case 'TransferRefunded':
      return { ...state, balance: event.data.balanceAfter };
    case 'AccountFrozen':
      return { ...state, status: 'FROZEN' };
    case 'AccountUnfrozen':
      return { ...state, status: 'OPEN' };
    case 'AccountClosed':
      return { ...state, status: 'CLOSED' };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}
