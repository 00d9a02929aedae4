import {
  AlreadyReversedError,
  ReversalWindowClosedError,
  TransactionNotFoundError,
} from '../banking-errors.js';
import { findIn } from '../chain.js';
import { AccountNotOpenError, ValidationError } from '../errors.js';
import { parseText } from '../ids.js';
import type { AccountCommand } from './commands.js';
import type { AccountEvent, AccountEventType, MovementData, ReversibleKind } from './events.js';
import { credit, debit, movement, REASON, requireExisting } from './rules.js';
import type { AccountState } from './state.js';
import { parseInstant, utcDay } from './time.js';
import { transactionId, transactionKindOf } from './transaction-kinds.js';

/** A transaction may be reversed through the 30th UTC day after the day it occurred. */
export const REVERSAL_WINDOW_DAYS = 30;

const REVERSIBLE: ReadonlySet<string> = new Set<ReversibleKind>([
  'DEPOSIT',
  'WITHDRAWAL',
  'FEE',
  'HOLD_CAPTURE',
]);

/**
 * Appends a compensating movement: the same amount, the other way. The original event is never
 * touched. Only deposits, withdrawals, fees and captures, once each, within the window judged
 * against the command's time (day 30 after the original's UTC day is in, day 31 out).
 */
export function reverseTransaction(
  command: Extract<AccountCommand, { type: 'ReverseTransaction' }>,
  state: AccountState,
): AccountEvent[] {
  const { data } = command;
  const reason = parseText(data.reason, 'reason', REASON)!;
  const at = parseInstant(data.at, 'at');
  const account = requireExisting(state, command.accountId);
  const { original } = data;
  const kind = original && transactionKindOf[original.type as AccountEventType];
  if (!original || !kind) throw new TransactionNotFoundError(data.transactionId);
  if (!REVERSIBLE.has(kind)) {
    const hint = kind.startsWith('TRANSFER') ? '; a transfer is undone by a transfer back' : '';
    throw new ValidationError(
      'transactionId',
      `a ${kind} cannot be reversed, only DEPOSIT, WITHDRAWAL, FEE and HOLD_CAPTURE${hint}`,
    );
  }
  const prior = findIn(account.reversals, (r) => r.original === original.revision);
  if (prior) {
    throw new AlreadyReversedError(data.transactionId, transactionId(account.id, prior.reversal));
  }
  const occurredAt = parseInstant(original.occurredAt, 'occurredAt');
  if (utcDay(at) - utcDay(occurredAt) > REVERSAL_WINDOW_DAYS) {
    throw new ReversalWindowClosedError(data.transactionId, occurredAt, REVERSAL_WINDOW_DAYS);
  }
  // Money owed back (a withdrawal, fee or capture undone) may reach a frozen account; taking a
  // deposit back out of one may not, and a closed account takes nothing either way.
  const direction = kind === 'DEPOSIT' ? 'OUT' : 'IN';
  if (account.status === 'CLOSED' || (direction === 'OUT' && account.status !== 'OPEN')) {
    throw new AccountNotOpenError(account.id, account.status);
  }
  const moved = original.data as MovementData & { holdId?: string };
  const balanceAfter =
    direction === 'OUT'
      ? debit(account, moved.amount)
      : credit(account, moved.amount, 'transactionId');
  return [
    {
      type: 'TransactionReversed',
      data: {
        ...movement(account, moved.amount, balanceAfter),
        reverses: data.transactionId,
        reversedKind: kind as ReversibleKind,
        direction,
        reason,
        ...(moved.holdId === undefined ? {} : { holdId: moved.holdId }),
      },
    },
  ];
}
