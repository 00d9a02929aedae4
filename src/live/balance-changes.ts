import type { Collection } from 'mongodb';
import type { AccountDocument } from '../read/documents.js';
import type { Change, ChangeFeed } from './change-feed.js';
import { subscriptionSource } from './ordered-push.js';

/**
 * Each new state of one account document, in revision order. Sends the current document first
 * (when it is above `afterRevision`), then every later state with no gap and no duplicate:
 * the feed is listened to before the current document is read, and anything at or below the
 * revision already sent is dropped. A client that falls too far behind is ended with an error
 * naming the revision to resume after.
 */
export function balanceChanges(
  feed: ChangeFeed<AccountDocument>,
  accounts: Collection<AccountDocument>,
  accountId: string,
  afterRevision: number | undefined,
): AsyncIterableIterator<AccountDocument> {
  return subscriptionSource<AccountDocument>(async (subscriber) => {
    let sentRevision = afterRevision ?? -1;
    let latest: AccountDocument | undefined;
    let buffered: Change<AccountDocument>[] | undefined = [];
    const apply = (change: Change<AccountDocument>) => {
      const next = nextState(latest, change);
      if (!next || (latest && next.revision <= latest.revision)) return;
      latest = next;
      if (next.revision > sentRevision) {
        sentRevision = next.revision;
        subscriber.push(next);
      }
    };
    subscriber.onStop(
      feed.subscribe(accountId, (change) => {
        if (!buffered) return apply(change);
        buffered.push(change);
        // Piling up while the current document is read: as slow as a full queue.
        if (buffered.length > feed.maxPendingPerSubscriber) subscriber.overflow();
      }),
    );
    await feed.ready();
    const current = await accounts.findOne({ _id: accountId });
    if (current) {
      latest = current;
      if (current.revision > sentRevision) {
        sentRevision = current.revision;
        subscriber.push(current);
      }
    }
    const pending = buffered;
    buffered = undefined;
    for (const change of pending) apply(change);
  }, feed.subscriberLimits(accountId));
}

/**
 * The document after a change. Updates carry only the fields they changed, applied to the
 * state before them, so every intermediate state is seen, not just the latest.
 */
function nextState(
  before: AccountDocument | undefined,
  change: Change<AccountDocument>,
): AccountDocument | undefined {
  switch (change.operationType) {
    case 'insert':
    case 'replace':
      return change.fullDocument;
    case 'update': {
      if (!before) return undefined;
      const { updatedFields = {}, removedFields = [] } = change.updateDescription;
      const next = { ...before, ...updatedFields } as AccountDocument & Record<string, unknown>;
      for (const field of removedFields) delete next[field];
      return next;
    }
    default:
      return undefined;
  }
}
