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
      /** Transfers sent and neither delivered nor refunded yet; the account cannot close meanwhile. */
      readonly transfersInFlight: ReadonlySet<string>;
    };

export const initialAccountState: AccountState = { exists: false };

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountOpened') {
    const { accountId, ownerId, currency } = event.data;
    return {
      exists: true,
      id: accountId,
      ownerId,
      currency,
      balance: 0,
      status: 'OPEN',
      transfersInFlight: new Set(),
    };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'MoneyDeposited':
    case 'MoneyWithdrawn':
    case 'TransferReceived':
      return { ...state, balance: event.data.balanceAfter };
    case 'TransferSent':
      return {
        ...state,
        balance: event.data.balanceAfter,
        transfersInFlight: new Set(state.transfersInFlight).add(event.data.transferId),
      };
    case 'TransferRefunded':
      return {
        ...state,
        balance: event.data.balanceAfter,
        transfersInFlight: without(state.transfersInFlight, event.data.transferId),
      };
    case 'TransferDelivered':
      return {
        ...state,
        transfersInFlight: without(state.transfersInFlight, event.data.transferId),
      };
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

function without(set: ReadonlySet<string>, item: string): ReadonlySet<string> {
  const copy = new Set(set);
  copy.delete(item);
  return copy;
}
