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

/** How one kind of document is compared with the fold of its stream. */
interface DocumentKind<State, Doc extends { _id: string; revision: number }> {
  /** `account`, `transfer`: names the subject of each difference. */
  name: string;
  /** What a stream that never began its aggregate lacks, such as "no AccountOpened". */
  missingFirstEvent: string;
  /** Adds a difference for each field of `doc` that the folded `state` disagrees with. */
  compareFields(
    state: Extract<State, { exists: true }>,
    doc: Doc,
    compare: (field: string, eventStore: unknown, readModel: unknown) => void,
  ): void;
}

/**
 * Each document against the fold of its stream (at the head, or at the document's revision if
 * it was written after the head), and each aggregate the streams hold against its document.
 */
function compareDocuments<
  State extends { exists: boolean },
  Doc extends { _id: string; revision: number },
>(
  kind: DocumentKind<State, Doc>,
  streams: ReadonlyMap<string, StreamFold<State>>,
  docs: readonly Doc[],
): Difference[] {
  const differences: Difference[] = [];
  const seen = new Set<string>();
  for (const doc of docs) {
    seen.add(doc._id);
    const subject = `${kind.name} ${doc._id}`;
    const stream = streams.get(doc._id);
    const expected = stream && expectedFor(subject, stream, doc.revision);
    if (expected && 'subject' in expected) {
      differences.push(expected);
      continue;
    }
    const state = expected?.state;
    if (!expected || !state?.exists) {
      differences.push(mismatch(subject, 'exists', kind.missingFirstEvent, `a ${kind.name}`));
      continue;
    }
    const compare = (field: string, eventStore: unknown, readModel: unknown) => {
      if (eventStore !== readModel)
        differences.push(mismatch(subject, field, eventStore, readModel));
    };
    compare('revision', expected.revision, doc.revision);
    kind.compareFields(state as Extract<State, { exists: true }>, doc, compare);
  }
  for (const [id, stream] of streams) {
    if (stream.atHead?.state.exists && !seen.has(id)) {
      differences.push(mismatch(`${kind.name} ${id}`, 'exists', `a ${kind.name}`, 'no document'));
    }
  }
  return differences;
}

const accountKind: DocumentKind<AccountState, AccountDocument> = {
  name: 'account',
  missingFirstEvent: 'no AccountOpened',
  compareFields(state, doc, compare) {
    compare('ownerId', state.ownerId, doc.ownerId);
    compare('currency', state.currency, doc.currency);
    compare('status', state.status, doc.status);
    if (state.balance !== doc.balance) {
      // Printed as money when the document holds a usable number, as stored otherwise.
      compare(
        'balance',
        formatMinor(state.balance, state.currency),
        Number.isSafeInteger(doc.balance) ? formatMinor(doc.balance, state.currency) : doc.balance,
      );
    }
  },
};

const transferKind: DocumentKind<TransferState, TransferDocument> = {
  name: 'transfer',
  missingFirstEvent: 'no TransferInitiated',
  compareFields(state, doc, compare) {
    compare('status', state.status, doc.status);
    compare('fromAccountId', state.fromAccountId, doc.fromAccountId);
    compare('toAccountId', state.toAccountId, doc.toAccountId);
    compare('currency', state.currency, doc.currency);
    compare('amount', state.amount, doc.amount);
  },
};

export function compareAccounts(
  streams: ReadonlyMap<string, StreamFold<AccountState>>,
  docs: readonly AccountDocument[],
): Difference[] {
  return compareDocuments(accountKind, streams, docs);
}

export function compareTransfers(
  streams: ReadonlyMap<string, StreamFold<TransferState>>,
  docs: readonly TransferDocument[],
): Difference[] {
  return compareDocuments(transferKind, streams, docs);
}
