import type { Long } from 'mongodb';
import type { TransactionKind } from '../domain/account/transaction-kinds.js';
import type { HoldStatus } from '../domain/banking-errors.js';
import type { AccountStatus } from '../domain/errors.js';
import type { CurrencyCode } from '../domain/money.js';
import type { TransferStatus } from '../domain/transfer/index.js';

/**
 * Read-model documents. Each carries the stream `revision` and the $all `position` (commit) of
 * the last event folded into it; updates apply only when the event is newer, so replays are harmless.
 * Amounts are integer minor units.
 */
export interface AccountDocument {
  _id: string;
  ownerId: string;
  currency: CurrencyCode;
  balance: number;
  status: AccountStatus;
  openedAt: Date;
  updatedAt: Date;
  revision: number;
  position: Long;
  /** The sum of the active holds; missing means none. Available balance = balance − held. */
  held?: number;
  /** The annual rate in force, canonical ("0.035"); missing until one is set. */
  interestRate?: string;
}

export type { TransactionKind } from '../domain/account/transaction-kinds.js';

export interface TransactionDocument {
  /** `<accountId>:<revision>`: one money movement per account event, so re-inserting is a no-op. */
  _id: string;
  accountId: string;
  revision: number;
  kind: TransactionKind;
  amount: number;
  currency: CurrencyCode;
  balanceAfter: number;
  occurredAt: Date;
  transferId?: string;
  counterpartyAccountId?: string;
  description?: string;
  /** Who moved the money, from the event's metadata. */
  actor?: string;
  /** The hold a HOLD_CAPTURE captured, or whose capture a REVERSAL undid. */
  holdId?: string;
  /** For a REVERSAL: the id of the transaction it reverses. */
  reverses?: string;
  position: Long;
}

/** holds: one document per hold, updated only by events of a later account revision. */
export interface HoldDocument {
  _id: string;
  accountId: string;
  amount: number;
  currency: CurrencyCode;
  status: HoldStatus;
  reason: string;
  placedAt: Date;
  expiresAt: Date;
  capturedAmount?: number;
  settledAt?: Date;
  /** Account revision of the FundsReserved event: the order of Account.holds. */
  placedRevision: number;
  /** Account revision of the last event folded in. */
  revision: number;
  position: Long;
}

export interface TransferDocument {
  _id: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  currency: CurrencyCode;
  status: TransferStatus;
  reason?: string;
  description?: string;
  createdAt: Date;
  updatedAt: Date;
  revision: number;
  position: Long;
}

/**
 * ledgerIntegrity: one document per currency (`_id` is its code) with the ledger-wide totals in
 * integer minor units (Int64). Updates are guarded on the $all position of the last event applied
 * (`position`, then `prepare`, since the events of one append share a commit position), because
 * `$inc` alone would count a replayed event twice.
 */
export interface LedgerIntegrityDocument {
  _id: CurrencyCode;
  deposited: Long;
  withdrawn: Long;
  inFlight: Long;
  fees: Long;
  interest: Long;
  captured: Long;
  reversedIn: Long;
  reversedOut: Long;
  position: Long;
  prepare: Long;
  updatedAt: Date;
}

export interface CheckpointDocument {
  _id: string;
  commit: Long;
  prepare: Long;
  updatedAt: Date;
}
