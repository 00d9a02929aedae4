import { HoldNotActiveError, HoldNotFoundError } from '../banking-errors.js';
import { findIn } from '../chain.js';
import type { ExistingAccountState, HoldRecord } from './state.js';
import { DAY_MS } from './time.js';

/** A hold lasts 7 days unless its placer says otherwise, and never more than 30. */
export const DEFAULT_HOLD_DAYS = 7;
export const MAX_HOLD_DAYS = 30;
export const DEFAULT_HOLD_MS = DEFAULT_HOLD_DAYS * DAY_MS;
export const MAX_HOLD_MS = MAX_HOLD_DAYS * DAY_MS;

/** A hold of this account, active or settled; undefined when it never was one of its holds. */
export function findHold(account: ExistingAccountState, holdId: string): HoldRecord | undefined {
  return account.activeHolds.get(holdId) ?? findIn(account.settledHolds, (h) => h.id === holdId);
}

/** The hold a capture or release names: it must exist and still be active. */
export function requireActiveHold(account: ExistingAccountState, holdId: string): HoldRecord {
  const hold = findHold(account, holdId);
  if (!hold) throw new HoldNotFoundError(holdId);
  if (hold.status !== 'ACTIVE') throw new HoldNotActiveError(holdId, hold.status);
  return hold;
}
