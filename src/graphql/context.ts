import type { Principal } from '../auth/principal.js';
import type { LiveFeeds } from '../live/live-feeds.js';
import type { Logger } from '../logger.js';
import type { Progress } from '../read/progress.js';
import type { ReadModels } from '../read/read-models.js';
import type { Ledger } from '../write/ledger.js';
import type { HistoryReader } from './history/history-reader.js';

/** What the API needs from the running application, shared by every request. */
export interface TallyServices {
  ledger: Ledger;
  models: ReadModels;
  /** Events straight from the event store: history, correlated, accountAt. */
  history: HistoryReader;
  /** Progress of the read-model projector through $all, for `consistentWith`. */
  readModelProgress: Progress;
  live: LiveFeeds;
  clock: () => Date;
  logger: Logger;
  /** How long a query with `consistentWith` waits for the read models. */
  consistencyTimeoutMs: number;
}

/** Per request: the services plus who is asking (verified) and under which correlation id. */
export interface GraphQLContext extends TallyServices {
  principal: Principal;
  /** The principal's `sub`, recorded as the actor of every event the request appends. */
  actor: string;
  correlationId: string;
}
