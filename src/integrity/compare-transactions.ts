import type { Position } from '@eventstore/db-client';
import { type Collection, Long } from 'mongodb';
import type { AccountState } from '../domain/account/state.js';
import type { TransactionDocument } from '../read/documents.js';
import { type Difference, mismatch } from './differences.js';
import type { StreamFold } from './ledger-fold.js';

/**
 * Each account has one transaction document per money movement in its stream. Both sides are
 * counted up to the head, which every projection is known to have passed: on a live ledger later
 * ones may or may not be there yet. A transaction of no known account counts against zero.
 */
export async function compareTransactions(
  transactions: Collection<TransactionDocument>,
  streams: ReadonlyMap<string, StreamFold<AccountState>>,
  head: Position | undefined,
): Promise<Difference[]> {
  const counted = new Map<string, number>();
  if (head) {
    const perAccount = transactions.aggregate<{ _id: string; count: number }>([
      { $match: { position: { $lte: Long.fromBigInt(head.commit) } } },
      { $group: { _id: '$accountId', count: { $sum: 1 } } },
    ]);
    for await (const { _id, count } of perAccount) counted.set(_id, Number(count));
  }
  const differences: Difference[] = [];
  for (const id of new Set([...streams.keys(), ...counted.keys()])) {
    const stream = streams.get(id);
    const expected = stream ? (stream.atHead ?? stream.current).movements : 0;
    const actual = counted.get(id) ?? 0;
    if (expected !== actual) {
      differences.push(mismatch(`account ${id}`, 'transactions', expected, actual));
    }
  }
  return differences;
}
