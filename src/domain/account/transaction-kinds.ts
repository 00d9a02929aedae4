import { ValidationError } from '../errors.js';
import { parseId } from '../ids.js';
import type { AccountEventType } from './events.js';

/** The kind of money movement each account event is; events that move no money have none. */
export type TransactionKind =
  | 'DEPOSIT'
  | 'WITHDRAWAL'
  | 'TRANSFER_OUT'
  | 'TRANSFER_IN'
  | 'TRANSFER_REFUND'
  | 'FEE'
  | 'INTEREST'
  | 'HOLD_CAPTURE'
  | 'REVERSAL';

export const transactionKindOf: Partial<Record<AccountEventType, TransactionKind>> = {
  MoneyDeposited: 'DEPOSIT',
  MoneyWithdrawn: 'WITHDRAWAL',
  TransferSent: 'TRANSFER_OUT',
  TransferReceived: 'TRANSFER_IN',
  TransferRefunded: 'TRANSFER_REFUND',
  FeeCharged: 'FEE',
  InterestPaid: 'INTEREST',
  HoldCaptured: 'HOLD_CAPTURE',
  TransactionReversed: 'REVERSAL',
};

/** A transaction is one account event: its id is `<accountId>:<revision>`. */
export function transactionId(accountId: string, revision: number): string {
  return `${accountId}:${revision}`;
}

export function parseTransactionId(
  text: string,
  field = 'transactionId',
): { accountId: string; revision: number } {
  const separator = text.lastIndexOf(':');
  const revision = Number(text.slice(separator + 1));
  if (separator < 0 || !/^\d{1,15}$/.test(text.slice(separator + 1))) {
    throw new ValidationError(field, 'must be a transaction id such as "<accountId>:<revision>"');
  }
  return { accountId: parseId(text.slice(0, separator), field), revision };
}
