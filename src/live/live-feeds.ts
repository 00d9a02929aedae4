import type { Logger } from '../logger.js';
import type { AccountDocument, TransactionDocument } from '../read/documents.js';
import type { ReadModels } from '../read/read-models.js';
import { ChangeFeed } from './change-feed.js';

/** The shared change feeds of one process. */
export interface LiveFeeds {
  accounts: ChangeFeed<AccountDocument>;
  transactions: ChangeFeed<TransactionDocument>;
  close(): Promise<void>;
}

export function createLiveFeeds(models: ReadModels, logger: Logger): LiveFeeds {
  const accounts = new ChangeFeed<AccountDocument>(
    models.accounts,
    (change) => ('documentKey' in change ? String(change.documentKey._id) : undefined),
    logger,
  );
  const transactions = new ChangeFeed<TransactionDocument>(
    models.transactions,
    (change) => (change.operationType === 'insert' ? change.fullDocument.accountId : undefined),
    logger,
  );
  return {
    accounts,
    transactions,
    close: async () => {
      await Promise.all([accounts.close(), transactions.close()]);
    },
  };
}
