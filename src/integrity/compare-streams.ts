import type { AccountState } from '../domain/account/state.js';
import { formatMinor } from '../domain/money.js';
import type { TransferState } from '../domain/transfer/state.js';
import type { AccountDocument, TransferDocument } from '../read/documents.js';
import { type Difference, mismatch } from './differences.js';
import type { Snapshot, StreamFold } from './ledger-fold.js';

/**
 * The fold a document must equal: the stream at the head when the document is not past it;
 * otherwise (written after the head, on a live ledger) the stream at the document's revision.
 */
function expectedFor<State>(
  subject: string,
  stream: StreamFold<State>,
  revision: number,
): Snapshot<State> | Difference {
  const atHead = stream.atHead ?? stream.current;
  if (revision <= atHead.revision) return atHead;
  if (stream.atTarget) return stream.atTarget;
  return mismatch(
    subject,
    'revision',
    stream.current.revision,
    `${revision}, past the stream's end`,
  );
}

export function compareAccounts(
  streams: ReadonlyMap<string, StreamFold<AccountState>>,
  docs: readonly AccountDocument[],
): Difference[] {
  const differences: Difference[] = [];
  const seen = new Set<string>();
  for (const doc of docs) {
    seen.add(doc._id);
    const subject = `account ${doc._id}`;
    const stream = streams.get(doc._id);
    const expected = stream && expectedFor(subject, stream, doc.revision);
    if (expected && 'subject' in expected) {
      differences.push(expected);
      continue;
    }
    const state = expected?.state;
    if (!expected || !state?.exists) {
      differences.push(mismatch(subject, 'exists', 'no AccountOpened', 'an account'));
      continue;
    }
    const compare = (field: string, eventStore: unknown, readModel: unknown) => {
      if (eventStore !== readModel)
        differences.push(mismatch(subject, field, eventStore, readModel));
    };
    compare('revision', expected.revision, doc.revision);
    compare('ownerId', state.ownerId, doc.ownerId);
    compare('currency', state.currency, doc.currency);
    compare('status', state.status, doc.status);
    if (state.balance !== doc.balance) {
      differences.push(
        mismatch(
          subject,
          'balance',
          formatMinor(state.balance, state.currency),
          Number.isSafeInteger(doc.balance)
            ? formatMinor(doc.balance, state.currency)
            : doc.balance,
        ),
      );
    }
  }
  for (const [id, stream] of streams) {
    if (stream.atHead?.state.exists && !seen.has(id)) {
      differences.push(mismatch(`account ${id}`, 'exists', 'an account', 'no document'));
    }
  }
  return differences;
}

export function compareTransfers(
  streams: ReadonlyMap<string, StreamFold<TransferState>>,
  docs: readonly TransferDocument[],
): Difference[] {
  const differences: Difference[] = [];
  const seen = new Set<string>();
  for (const doc of docs) {
    seen.add(doc._id);
    const subject = `transfer ${doc._id}`;
    const stream = streams.get(doc._id);
    const expected = stream && expectedFor(subject, stream, doc.revision);
    if (expected && 'subject' in expected) {
      differences.push(expected);
      continue;
    }
    const state = expected?.state;
    if (!expected || !state?.exists) {
      differences.push(mismatch(subject, 'exists', 'no TransferInitiated', 'a transfer'));
      continue;
    }
    const compare = (field: string, eventStore: unknown, readModel: unknown) => {
      if (eventStore !== readModel)
        differences.push(mismatch(subject, field, eventStore, readModel));
    };
    compare('revision', expected.revision, doc.revision);
    compare('status', state.status, doc.status);
    compare('fromAccountId', state.fromAccountId, doc.fromAccountId);
    compare('toAccountId', state.toAccountId, doc.toAccountId);
    compare('currency', state.currency, doc.currency);
    compare('amount', state.amount, doc.amount);
  }
  for (const [id, stream] of streams) {
    if (stream.atHead?.state.exists && !seen.has(id)) {
      differences.push(mismatch(`transfer ${id}`, 'exists', 'a transfer', 'no document'));
    }
  }
  return differences;
}
