import type { HoldStatus } from '../banking-errors.js';
import { type Chain, prepend } from '../chain.js';
import type { AccountStatus } from '../errors.js';
import type { CurrencyCode } from '../money.js';
import type { AccountEvent } from './events.js';

/** A hold as the account knows it: active, or how it was settled. */
export interface HoldRecord {
  readonly id: string;
  readonly amount: number;
  readonly reason: string;
  readonly placedAt: string;
  readonly expiresAt: string;
  readonly status: HoldStatus;
  readonly capturedAmount?: number;
  readonly settledAt?: string;
}

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
      /** Stream revision of the last event folded in (AccountOpened is revision 0). */
      readonly revision: number;
      /** Active holds by id; `held` is the sum of their amounts. */
      readonly activeHolds: ReadonlyMap<string, HoldRecord>;
      readonly held: number;
      /** Holds captured, released or expired, newest first. */
      readonly settledHolds: Chain<HoldRecord>;
      /** The annual rate in force, canonical ("0.035"); undefined until one is set. */
      readonly interestRate: string | undefined;
      /** periodEnd of the last interest posted: no month up to it is paid again. */
      readonly interestPaidThrough: string | undefined;
      /** Which revisions were reversed, and by the revision of which reversal, newest first. */
      readonly reversals: Chain<{ readonly original: number; readonly reversal: number }>;
    };

export type ExistingAccountState = Extract<AccountState, { exists: true }>;

export const initialAccountState: AccountState = { exists: false };

/** Balance minus the active holds: what withdrawals, transfers, fees and new holds may take. */
export function availableBalance(account: ExistingAccountState): number {
  return account.balance - account.held;
}

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  const next = apply(state, event);
  if (!next.exists) return next;
  // Every event after the opening is one revision further; the opening itself is revision 0.
  return { ...next, revision: state.exists ? state.revision + 1 : 0 };
}

function apply(state: AccountState, event: AccountEvent): AccountState {
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
      revision: 0,
      activeHolds: new Map(),
      held: 0,
      settledHolds: undefined,
      interestRate: undefined,
      interestPaidThrough: undefined,
      reversals: undefined,
    };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'MoneyDeposited':
    case 'MoneyWithdrawn':
    case 'TransferReceived':
    case 'FeeCharged':
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
    case 'FundsReserved': {
      const { holdId, amount, reason, placedAt, expiresAt, heldAfter } = event.data;
      const hold: HoldRecord = {
        id: holdId,
        amount,
        reason,
        placedAt,
        expiresAt,
        status: 'ACTIVE',
      };
      return {
        ...state,
        activeHolds: new Map(state.activeHolds).set(holdId, hold),
        held: heldAfter,
      };
    }
    case 'HoldCaptured': {
      const { holdId, amount, capturedAt, balanceAfter, heldAfter } = event.data;
      return settle({ ...state, balance: balanceAfter }, holdId, heldAfter, {
        status: 'CAPTURED',
        capturedAmount: amount,
        settledAt: capturedAt,
      });
    }
    case 'FundsReleased':
      return settle(state, event.data.holdId, event.data.heldAfter, {
        status: 'RELEASED',
        settledAt: event.data.releasedAt,
      });
    case 'HoldExpired':
      return settle(state, event.data.holdId, event.data.heldAfter, {
        status: 'EXPIRED',
        settledAt: event.data.expiredAt,
      });
    case 'InterestRateChanged':
      return { ...state, interestRate: event.data.annualRate };
    case 'InterestPaid':
      return {
        ...state,
        balance: event.data.balanceAfter,
        interestPaidThrough: event.data.periodEnd,
      };
    case 'TransactionReversed': {
      const original = Number(event.data.reverses.slice(event.data.reverses.lastIndexOf(':') + 1));
      return {
        ...state,
        balance: event.data.balanceAfter,
        reversals: prepend(state.reversals, { original, reversal: state.revision + 1 }),
      };
    }
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

function settle(
  state: ExistingAccountState,
  holdId: string,
  heldAfter: number,
  outcome: Pick<HoldRecord, 'status' | 'capturedAmount' | 'settledAt'>,
): ExistingAccountState {
  const hold = state.activeHolds.get(holdId);
  if (!hold) return { ...state, held: heldAfter };
  const activeHolds = new Map(state.activeHolds);
  activeHolds.delete(holdId);
  return {
    ...state,
    activeHolds,
    held: heldAfter,
    settledHolds: prepend(state.settledHolds, { ...hold, ...outcome }),
  };
}

function without(set: ReadonlySet<string>, item: string): ReadonlySet<string> {
  const copy = new Set(set);
  copy.delete(item);
  return copy;
}
