import type { Db } from 'mongodb';
import type { Logger } from '../logger.js';
import type { TallyMetrics } from '../metrics/metrics.js';
import type { CheckpointStore } from '../read/checkpoint-store.js';
import type { CheckpointDocument } from '../read/documents.js';
import type { Projection } from '../read/projections/index.js';
import { fencedConsumers } from './fencing.js';
import { DEFAULT_LEASE_TTL_MS, LeaderElection } from './leader-election.js';
import { MongoLease } from './lease.js';

/** The lease that says which instance runs the projector, the process manager and the timed processes. */
export const CONSUMERS_LEASE = 'consumers';

/** What a term's consumers write through: every write carries, and is checked against, its token. */
export interface Fencing {
  token: number;
  projections: readonly Projection[];
  checkpoints: CheckpointStore;
}

export interface Leadership {
  readonly isLeader: boolean;
  readonly token: number | undefined;
  stop(): Promise<void>;
}

/** Competes for the consumers' lease; runs `elected` with the term's fencing while it holds it. */
export function startLeadership(options: {
  db: Db;
  holder: string;
  ttlMs?: number;
  /**
   * false: an API-only instance (RUN_CONSUMERS=false) never competes for the lease, so the
   * consumers never share its event loop; it follows the leader's progress like any follower.
   */
  campaign?: boolean;
  logger: Logger;
  metrics: TallyMetrics;
  elected(fencing: Fencing): Promise<void>;
  deposed(): Promise<void>;
}): Leadership {
  const { metrics } = options;
  const lease = new MongoLease(
    options.db,
    CONSUMERS_LEASE,
    options.holder,
    options.ttlMs ?? DEFAULT_LEASE_TTL_MS,
  );
  const checkpoints = options.db.collection<CheckpointDocument>('checkpoints');
  const election = new LeaderElection(
    lease,
    {
      async elected(term) {
        await options.elected({ token: term.token, ...fencedConsumers(checkpoints, term.token) });
        metrics.leader.set(1);
      },
      async deposed() {
        metrics.leader.set(0);
        await options.deposed();
      },
    },
    options.logger,
  );
  if (options.campaign === false) {
    options.logger.info(
      { lease: CONSUMERS_LEASE },
      'API only (RUN_CONSUMERS=false): not competing for the consumers; another instance runs them',
    );
  } else {
    election.start();
  }
  return {
    get isLeader() {
      return election.isLeader;
    },
    get token() {
      return election.term?.token;
    },
    stop: () => election.stop(),
  };
}
