import type { Collection } from 'mongodb';
import type { TransactionDocument } from '../read/documents.js';
import type { ChangeFeed } from './change-feed.js';
import { subscriptionSource } from './ordered-push.js';

/**
 * Each transaction of one account, in revision order: first those above `afterRevision` from
 * the read model, then live ones from the change feed, each exactly once. The catch-up read goes
 * at the client's pace; a client that falls too far behind live updates is ended with an error
 * naming the revision to resume after.
 */
export function accountActivity(
  feed: ChangeFeed<TransactionDocument>,
  transactions: Collection<TransactionDocument>,
  accountId: string,
  afterRevision: number | undefined,
): AsyncIterableIterator<TransactionDocument> {
  return subscriptionSource<TransactionDocument>(async (subscriber) => {
    let sentRevision = afterRevision ?? -1;
    let buffered: TransactionDocument[] | undefined = [];
    const send = (transaction: TransactionDocument) => {
      if (transaction.revision <= sentRevision) return;
      sentRevision = transaction.revision;
      subscriber.push(transaction);
    };
    subscriber.onStop(
      feed.subscribe(accountId, (change) => {
        if (change.operationType !== 'insert') return;
        if (!buffered) return send(change.fullDocument);
        buffered.push(change.fullDocument);
        // Live updates piling up behind the catch-up: as slow as a full queue.
        if (buffered.length > feed.maxPendingPerSubscriber) subscriber.overflow();
      }),
    );
    await feed.ready();
    if (afterRevision !== undefined) {
      const missed = transactions
        .find({ accountId, revision: { $gt: afterRevision } })
        .sort({ revision: 1 });
      try {
        for await (const transaction of missed) {
          await subscriber.room();
          if (subscriber.stopped) break;
          send(transaction);
        }
      } finally {
        await missed.close();
      }
    }
    const pending = buffered;
    buffered = undefined;
    for (const transaction of pending) send(transaction);
  }, feed.subscriberLimits(accountId));
}
