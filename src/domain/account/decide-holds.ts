import { HoldNotActiveError, HoldNotFoundError } from '../banking-errors.js';
import { ValidationError } from '../errors.js';
import { parseId, parseText } from '../ids.js';
import { formatMinor, parseMoney } from '../money.js';
import type { AccountCommand } from './commands.js';
import type { AccountEvent } from './events.js';
import {
  DEFAULT_HOLD_MS,
  findHold,
  MAX_HOLD_DAYS,
  MAX_HOLD_MS,
  requireActiveHold,
} from './holds.js';
import { DESCRIPTION, debit, movement, REASON, requireExisting, requireOpen } from './rules.js';
import type { AccountState } from './state.js';
import { parseInstant } from './time.js';

type Command<T extends AccountCommand['type']> = Extract<AccountCommand, { type: T }>;

/**
 * Reserves money now: the available balance (balance minus active holds) must cover it. The
 * hold expires at `expiresAt`, by default 7 days after the command, at most 30.
 */
export function placeHold(command: Command<'PlaceHold'>, state: AccountState): AccountEvent[] {
  const { data } = command;
  const reason = parseText(data.reason, 'reason', REASON)!;
  const holdId = parseId(data.holdId, 'holdId');
  const at = parseInstant(data.at, 'at');
  const expiresAt =
    data.expiresAt === undefined
      ? new Date(at.getTime() + DEFAULT_HOLD_MS)
      : parseInstant(data.expiresAt, 'expiresAt');
  if (expiresAt <= at) throw new ValidationError('expiresAt', 'must lie in the future');
  if (expiresAt.getTime() - at.getTime() > MAX_HOLD_MS) {
    throw new ValidationError('expiresAt', `must lie within ${MAX_HOLD_DAYS} days`);
  }
  const account = requireOpen(state, command.accountId);
  const { minor } = parseMoney(data.amount, account.currency, 'amount');
  if (findHold(account, holdId)) throw new ValidationError('holdId', 'a hold with this id exists');
  debit(account, minor); // refuses when the available balance is short
  return [
    {
      type: 'FundsReserved',
      data: {
        accountId: account.id,
        holdId,
        amount: minor,
        currency: account.currency,
        reason,
        placedAt: at.toISOString(),
        expiresAt: expiresAt.toISOString(),
        heldAfter: account.held + minor,
      },
    },
  ];
}

/**
 * The held money leaves the account: all of it, or `amount` of it with the rest released in
 * the same event. A hold whose expiresAt has come is expired even before the expiry process
 * records it, judged against the command's time; a frozen account captures nothing.
 */
export function captureHold(command: Command<'CaptureHold'>, state: AccountState): AccountEvent[] {
  const { data } = command;
  const description = parseText(data.description ?? '', 'description', DESCRIPTION);
  const at = parseInstant(data.at, 'at');
  const account = requireExisting(state, command.accountId);
  const hold = requireActiveHold(account, data.holdId);
  if (at >= new Date(hold.expiresAt)) throw new HoldNotActiveError(hold.id, 'EXPIRED');
  requireOpen(account, account.id);
  const captured =
    data.amount === undefined
      ? hold.amount
      : parseMoney(data.amount, account.currency, 'amount').minor;
  if (captured > hold.amount) {
    throw new ValidationError(
      'amount',
      `must not exceed the held ${formatMinor(hold.amount, account.currency)} ${account.currency}`,
    );
  }
  return [
    {
      type: 'HoldCaptured',
      data: {
        // The balance always covers the active holds, so a capture never overdraws.
        ...movement(account, captured, account.balance - captured, description),
        holdId: hold.id,
        released: hold.amount - captured,
        heldAfter: account.held - hold.amount,
        capturedAt: at.toISOString(),
      },
    },
  ];
}

/** Gives the held money back to the available balance; allowed whatever the account's status. */
export function releaseHold(command: Command<'ReleaseHold'>, state: AccountState): AccountEvent[] {
  const { data } = command;
  const reason = parseText(data.reason, 'reason', REASON)!;
  const at = parseInstant(data.at, 'at');
  const account = requireExisting(state, command.accountId);
  const hold = requireActiveHold(account, data.holdId);
  return [
    {
      type: 'FundsReleased',
      data: {
        accountId: account.id,
        holdId: hold.id,
        amount: hold.amount,
        currency: account.currency,
        heldAfter: account.held - hold.amount,
        reason,
        releasedAt: at.toISOString(),
      },
    },
  ];
}

/**
 * The expiry process releases a hold whose time has come, dated by its own clock (`at`). A
 * hold no longer active, or not yet due, is left alone: the process may repeat itself after a
 * crash, or race a capture, and only the first to reach the stream counts.
 */
export function expireHold(command: Command<'ExpireHold'>, state: AccountState): AccountEvent[] {
  const at = parseInstant(command.data.at, 'at');
  const account = requireExisting(state, command.accountId);
  const hold = account.activeHolds.get(command.data.holdId);
  if (!hold) {
    if (!findHold(account, command.data.holdId)) throw new HoldNotFoundError(command.data.holdId);
    return [];
  }
  if (at < new Date(hold.expiresAt)) return [];
  return [
    {
      type: 'HoldExpired',
      data: {
        accountId: account.id,
        holdId: hold.id,
        amount: hold.amount,
        currency: account.currency,
        heldAfter: account.held - hold.amount,
        expiredAt: at.toISOString(),
      },
    },
  ];
}
