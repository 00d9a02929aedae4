import type { Collection, Db } from 'mongodb';
import type {
  AccountDocument,
  CheckpointDocument,
  HoldDocument,
  LedgerIntegrityDocument,
  TransactionDocument,
  TransferDocument,
} from './documents.js';
import type { CorrelationDocument } from './projections/correlations.js';
import type { OwnerAccountDocument } from './projections/owners.js';

/** The read-model collections of one database, with the indexes their queries need. */
export interface ReadModels {
  accounts: Collection<AccountDocument>;
  transactions: Collection<TransactionDocument>;
  transfers: Collection<TransferDocument>;
  ledgerIntegrity: Collection<LedgerIntegrityDocument>;
  holds: Collection<HoldDocument>;
  correlations: Collection<CorrelationDocument>;
  owners: Collection<OwnerAccountDocument>;
  checkpoints: Collection<CheckpointDocument>;
}

export function readModels(db: Db): ReadModels {
  return {
    accounts: db.collection<AccountDocument>('accounts'),
    transactions: db.collection<TransactionDocument>('transactions'),
    transfers: db.collection<TransferDocument>('transfers'),
    ledgerIntegrity: db.collection<LedgerIntegrityDocument>('ledgerIntegrity'),
    holds: db.collection<HoldDocument>('holds'),
    correlations: db.collection<CorrelationDocument>('correlations'),
    owners: db.collection<OwnerAccountDocument>('owners'),
    checkpoints: db.collection<CheckpointDocument>('checkpoints'),
  };
}

export async function ensureIndexes(models: ReadModels): Promise<void> {
  await Promise.all([
    // accounts(ownerId) pages in id order.
    models.accounts.createIndex({ ownerId: 1, _id: 1 }),
    // Account.transactions pages newest first; accountActivity replays oldest first.
    models.transactions.createIndex({ accountId: 1, revision: -1 }),
    // Account.balanceAt: the last movement at or before a time.
    models.transactions.createIndex({ accountId: 1, occurredAt: -1, revision: -1 }),
    // Transaction.reversedBy: the reversal that points at a transaction.
    models.transactions.createIndex({ reverses: 1 }, { sparse: true }),
    // Account.holds pages newest first, by status or not; the expiry process finds due holds.
    models.holds.createIndex({ accountId: 1, placedRevision: -1 }),
    models.holds.createIndex({ accountId: 1, status: 1, placedRevision: -1 }),
    models.holds.createIndex({ status: 1, expiresAt: 1 }),
    // correlated(correlationId): a request's events in $all order.
    models.correlations.createIndex({ correlationId: 1, commit: 1, prepare: 1 }),
    // Query.owner: the rows of one owner's accounts.
    models.owners.createIndex({ ownerId: 1 }),
  ]);
}
