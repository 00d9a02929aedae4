import { Long } from 'mongodb';
import { totalsChange } from '../../integrity/money-effects.js';
import { type LedgerTotals, TOTAL_FIELDS } from '../../integrity/totals.js';
import type { LedgerIntegrityDocument } from '../documents.js';
import { toLong } from '../position.js';
import { occurredAt } from '../recorded-event.js';
import type { Projection } from './projection.js';

/** A new currency's document: every total zero, and a position before any event. */
const EMPTY = {
  ...Object.fromEntries(TOTAL_FIELDS.map((field) => [field, Long.ZERO])),
  position: Long.NEG_ONE,
  prepare: Long.NEG_ONE,
};

/**
 * ledgerIntegrity: per currency, the ledger-wide totals (deposited, withdrawn, in flight, ...)
 * as Int64 minor units. Totals must be incremented, and `$inc` alone would count a replayed event
 * twice, so each increment applies only while the document's position is before the event's.
 * Events reach a projection in $all order and the projector's bulkWrite is ordered, so several
 * events of one currency in a batch each see the position the one before left.
 */
export const ledgerIntegrityProjection: Projection<LedgerIntegrityDocument> = {
  name: 'ledgerIntegrity',
  project(event) {
    if (!event.streamId.startsWith('account-')) return [];
    const moved = totalsChange(event);
    if (!moved) return [];
    const commit = toLong(event.position.commit);
    const prepare = toLong(event.position.prepare);
    return [
      // Creates the document if needed, without a guard: an upsert whose guard fails would try
      // to insert a second document with the same _id.
      {
        updateOne: {
          filter: { _id: moved.currency },
          update: { $setOnInsert: EMPTY as Partial<LedgerIntegrityDocument> },
          upsert: true,
        },
      },
      {
        updateOne: {
          filter: {
            _id: moved.currency,
            // (position, prepare) before the event's: the events of one append share a commit
            // position, so the commit alone would skip all but the first of them.
            $or: [{ position: { $lt: commit } }, { position: commit, prepare: { $lt: prepare } }],
          },
          update: {
            $inc: asLongs(moved.change),
            $set: { position: commit, prepare, updatedAt: occurredAt(event) },
          },
        },
      },
    ];
  },
};

function asLongs(change: Partial<LedgerTotals>): Partial<Record<keyof LedgerTotals, Long>> {
  return Object.fromEntries(
    Object.entries(change).map(([field, amount]) => [field, Long.fromBigInt(amount)]),
  );
}
