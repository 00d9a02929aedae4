import type { EventStoreDBClient, Position } from '@eventstore/db-client';
import { type Projection, readModelProjections } from '../read/projections/index.js';
import type { ReadModels } from '../read/read-models.js';
import { awaitCheckpoints } from './await-projections.js';
import { compareAccounts, compareTransfers } from './compare-streams.js';
import {
  compareTotals,
  eventStoreConservation,
  integrityPosition,
  readModelConservation,
} from './compare-totals.js';
import { compareTransactions } from './compare-transactions.js';
import type { Difference } from './differences.js';
import { lastTallyEventPosition } from './event-store-head.js';
import { foldLedger } from './ledger-fold.js';
import { comparePositions } from './positions.js';
import { toBigInt } from './totals.js';

export interface VerifyOptions {
  eventStore: EventStoreDBClient;
  models: ReadModels;
  /** How long to wait for the projections to pass the event store's head (default 30 s). */
  waitMs?: number;
  /** Whose checkpoints to wait for (default: every read-model projection). */
  projections?: readonly Projection[];
}

export interface VerifyReport {
  /** Empty when the read models are exactly the fold of the events. */
  differences: Difference[];
  /** The last Tally event when verify began; the read models were waited for up to it. */
  head: Position | undefined;
  events: number;
  accounts: number;
  transfers: number;
  currencies: number;
}

/**
 * Folds every account and transfer stream from the event store with the domain's own evolve and
 * compares the result with the read models: each account (balance, status, revision, owner,
 * currency, number of transactions), each transfer, and each currency's totals in the integrity
 * projection, and checks that money is conserved in the events and in the read models.
 *
 * Safe on a live ledger: it first waits for every projection's checkpoint to pass the head, then
 * reads the documents, then the events; a document written after the head is compared with its
 * stream at the revision it claims, so concurrent writes are not reported as differences.
 */
export async function verifyLedger(options: VerifyOptions): Promise<VerifyReport> {
  const { eventStore, models } = options;
  const projections = options.projections ?? readModelProjections;
  const head = await lastTallyEventPosition(eventStore);
  const empty = { head, events: 0, accounts: 0, transfers: 0, currencies: 0 };
  if (head) {
    const behind = await awaitCheckpoints(
      models.checkpoints,
      projections.map((projection) => `projection:${projection.name}`),
      head.commit,
      options.waitMs ?? 30_000,
    );
    if (behind.length > 0) return { ...empty, differences: behind };
  }

  // Documents before events: every document then stands at or before the events read.
  const [accounts, transfers, integrity] = await Promise.all([
    models.accounts.find({}).toArray(),
    models.transfers.find({}).toArray(),
    models.ledgerIntegrity.find({}, { useBigInt64: true }).toArray(),
  ]);
  const fold = await foldLedger(eventStore, head, {
    accounts: new Map(accounts.map((doc) => [doc._id, doc.revision])),
    transfers: new Map(transfers.map((doc) => [doc._id, doc.revision])),
    totals: new Map(integrity.map((doc) => [doc._id, integrityPosition(doc)])),
  });

  const differences = [
    ...fold.differences,
    ...compareAccounts(fold.accounts, accounts),
    ...(await compareTransactions(models.transactions, fold.accounts, head)),
    ...compareTransfers(fold.transfers, transfers),
    ...compareTotals(fold, integrity, head),
    ...eventStoreConservation(fold),
  ];
  // The read models agree with themselves only where they stand at one point: at the head.
  const pastHead = (position: Position) => !head || comparePositions(position, head) > 0;
  const quiet =
    accounts.every((doc) => !head || toBigInt(doc.position) <= head.commit) &&
    integrity.every((doc) => !pastHead(integrityPosition(doc)));
  if (quiet) differences.push(...readModelConservation(accounts, integrity));

  return {
    differences,
    head,
    events: fold.events,
    accounts: [...fold.accounts.values()].filter((s) => s.current.state.exists).length,
    transfers: [...fold.transfers.values()].filter((s) => s.current.state.exists).length,
    currencies: new Set([...fold.totalsAtHead.keys(), ...integrity.map((doc) => doc._id)]).size,
  };
}
