import type { Collection } from 'mongodb';
import type { TransactionDocument } from '../read/documents.js';
import type { ChangeFeed } from './change-feed.js';
import { subscriptionSource } from './ordered-push.js';

/**
 * Each transaction of one account, in revision order: first those above `afterRevision` from
 * the read model, then live ones from the change feed, each exactly once.
 */
export function accountActivity(
  feed: ChangeFeed<TransactionDocument>,
  transactions: Collection<TransactionDocument>,
  accountId: string,
  afterRevision: number | undefined,
): AsyncIterableIterator<TransactionDocument> {
  return subscriptionSource<TransactionDocument>(async (push, onStop) => {
    let sentRevision = afterRevision ?? -1;
    let buffered: TransactionDocument[] | undefined = [];
    const send = async (transaction: TransactionDocument) => {
      if (transaction.revision <= sentRevision) return;
      sentRevision = transaction.revision;
      await push(transaction);
    };
    onStop(
      feed.subscribe(accountId, (change) => {
        if (change.operationType !== 'insert') return;
        if (buffered) buffered.push(change.fullDocument);
        else void send(change.fullDocument);
      }),
    );
    await feed.ready();
    if (afterRevision !== undefined) {
      const missed = transactions
        .find({ accountId, revision: { $gt: afterRevision } })
        .sort({ revision: 1 });
      for await (const transaction of missed) await send(transaction);
    }
    const pending = buffered;
    buffered = undefined;
    for (const transaction of pending) await send(transaction);
  });
}
