import { EventStoreDBClient } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import type { TallyServices } from './graphql/context.js';
import { HistoryReader } from './graphql/history/history-reader.js';
import { type ApiOptions, createTallyYoga, type TallyYoga } from './graphql/yoga.js';
import { type Operations, projectionConsumer, startOperations } from './http/operations.js';
import { FollowedProgress } from './leadership/followed-progress.js';
import { type Fencing, type Leadership, startLeadership } from './leadership/leadership.js';
import { createLiveFeeds, type LiveFeeds } from './live/live-feeds.js';
import type { Logger } from './logger.js';
import { instrumentLedger } from './metrics/instrument-ledger.js';
import { TallyMetrics } from './metrics/metrics.js';
import { createHoldExpiry } from './process/hold-expiry.js';
import { createInterestPosting } from './process/interest-posting.js';
import type { PeriodicProcess } from './process/periodic-process.js';
import {
  createTransferProcessManager,
  PROCESS_MANAGER_CHECKPOINT,
  PROCESS_MANAGER_NAME,
} from './process/transfer-process-manager.js';
import { CheckpointStore } from './read/checkpoint-store.js';
import type { CheckpointedSubscription } from './read/checkpointed-subscription.js';
import { readModelProjections } from './read/projections/index.js';
import { createProjector, type RunningProjector } from './read/projector.js';
import { ThreadedProjector } from './read/projector-thread/threaded-projector.js';
import { ensureIndexes, type ReadModels, readModels } from './read/read-models.js';
import { Ledger } from './write/ledger.js';
import { accountSnapshots, DEFAULT_SNAPSHOT_EVERY } from './write/snapshots.js';
import type { StreamCacheBounds } from './write/stream-cache.js';

export interface TallyOptions {
  eventStoreUrl: string;
  mongoUrl: string;
  mongoDb: string;
  logger: Logger;
  /** Authentication and exposure of the GraphQL API. */
  api: ApiOptions;
  consistencyTimeoutMs?: number;
  /** Updates one live subscriber may have queued before it is dropped as too slow. */
  liveMaxPending?: number;
  clock?: () => Date;
  /**
   * Run the read-model projector on a thread of its own (PROJECTOR_THREAD, on in `npm start`),
   * so applying events and answering requests do not wait for each other. Off by default here:
   * most tests drive the projector on their own thread.
   */
  projectorThread?: boolean;
  /** Off in tests that drive the process manager themselves. */
  runProcessManager?: boolean;
  /** Off in tests that move the clock and run hold expiry and interest posting themselves. */
  runTimedProcesses?: boolean;
  /**
   * Several instances on the same stores: the consumers run only while this one holds the
   * MongoDB lease, their writes fenced by its token. Without it they run at once (one instance).
   */
  /** `campaign: false`: never run the consumers here (an API-only instance). */
  leadership?: { holder: string; ttlMs?: number; campaign?: boolean };
  /** GET /ready fails when a consumer is further behind than this (default 5000). */
  readyMaxLagMs?: number;
  /** Snapshot an account every this many events (default 100); 0 turns snapshots off. */
  snapshotEvery?: number;
  /** Bounds of the write side's fold caches (FOLD_CACHE_STREAMS, FOLD_CACHE_COMMANDS_PER_STREAM). */
  foldCache?: StreamCacheBounds;
  /** Idempotency-key claims the write side remembers (IDEMPOTENCY_CLAIMS_CACHED). */
  idempotencyClaimsCached?: number;
}

/** A running Tally: the write side, the projector, the process manager and the GraphQL handler. */
export interface Tally {
  yoga: TallyYoga;
  services: TallyServices;
  eventStore: EventStoreDBClient;
  mongo: MongoClient;
  models: ReadModels;
  /** The projector this instance runs (with leadership: while it leads; else it throws). */
  readonly projector: RunningProjector;
  readonly processManager: CheckpointedSubscription | undefined;
  live: LiveFeeds;
  /** Expires holds at their expiresAt, and posts each month's interest, by `clock`. */
  holdExpiry: PeriodicProcess;
  interestPosting: PeriodicProcess;
  metrics: TallyMetrics;
  operations: Operations;
  leadership: Leadership | undefined;
  close(): Promise<void>;
}

export async function startTally(options: TallyOptions): Promise<Tally> {
  const eventStore = EventStoreDBClient.connectionString(options.eventStoreUrl);
  const mongo = new MongoClient(options.mongoUrl);
  try {
    return await wire(options, eventStore, mongo);
  } catch (error) {
    // A failed start (a store unreachable, a checkpoint ahead of the store) leaves nothing open.
    await mongo.close().catch(() => undefined);
    await eventStore.dispose().catch(() => undefined);
    throw error;
  }
}

async function wire(
  options: TallyOptions,
  eventStore: EventStoreDBClient,
  mongo: MongoClient,
): Promise<Tally> {
  const { logger } = options;
  await mongo.connect();
  const models = readModels(mongo.db(options.mongoDb));
  await ensureIndexes(models);

  const clock = options.clock ?? (() => new Date());
  const metrics = new TallyMetrics();
  const snapshots = accountSnapshots(eventStore, {
    every: options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY,
    logger: logger.child({ module: 'snapshots' }),
  });
  const ledger = instrumentLedger(
    new Ledger(eventStore, snapshots, options.foldCache, options.idempotencyClaimsCached),
    metrics,
  );
  /** The consumers of $all; with leadership, one set per term, fenced by its token. */
  const startConsumers = async (fencing?: Fencing) => {
    const checkpoints = fencing?.checkpoints ?? new CheckpointStore(models.checkpoints);
    const projector: RunningProjector = options.projectorThread
      ? new ThreadedProjector(
          {
            eventStoreUrl: options.eventStoreUrl,
            mongoUrl: options.mongoUrl,
            mongoDb: options.mongoDb,
            ...(fencing ? { token: fencing.token } : {}),
          },
          logger.child({ module: 'projector' }),
          () => metrics.projectorThreadRestarts.inc(),
        )
      : createProjector(
          eventStore,
          models,
          logger.child({ module: 'projector' }),
          fencing?.projections,
          checkpoints,
        );
    await projector.start();
    const processManager =
      options.runProcessManager === false
        ? undefined
        : createTransferProcessManager(
            eventStore,
            ledger,
            checkpoints,
            logger.child({ module: 'transfer-process-manager' }),
            clock,
          );
    try {
      await processManager?.start();
    } catch (error) {
      await projector.stop();
      throw error;
    }
    return {
      projector,
      processManager,
      async stop() {
        await processManager?.stop();
        await projector.stop();
      },
    };
  };
  type Consumers = Awaited<ReturnType<typeof startConsumers>>;
  let consumers: Consumers | undefined;
  let leadership: Leadership | undefined;
  const followed = options.leadership
    ? new FollowedProgress(
        models.checkpoints,
        readModelProjections.map((p) => `projection:${p.name}`),
      )
    : undefined;
  if (options.leadership && followed) {
    await followed.start();
    leadership = startLeadership({
      db: models.checkpoints.db,
      ...options.leadership,
      logger: logger.child({ module: 'leadership' }),
      metrics,
      async elected(fencing) {
        consumers = await startConsumers(fencing);
        followed.follow(consumers.projector.progress);
      },
      async deposed() {
        const stopping = consumers;
        consumers = undefined;
        followed.follow(undefined);
        await stopping?.stop();
      },
    });
  } else {
    consumers = await startConsumers();
    metrics.leader.set(1);
  }
  const live = createLiveFeeds(models, logger.child({ module: 'live' }));
  if (options.liveMaxPending !== undefined) {
    live.accounts.maxPendingPerSubscriber = options.liveMaxPending;
    live.transactions.maxPendingPerSubscriber = options.liveMaxPending;
  }
  // Idempotent by deterministic command ids, so every instance may run them.
  const holdExpiry = createHoldExpiry(
    ledger,
    models,
    logger.child({ module: 'hold-expiry' }),
    clock,
  );
  const interestPosting = createInterestPosting(
    eventStore,
    ledger,
    models,
    logger.child({ module: 'interest-posting' }),
    clock,
  );
  if (options.runTimedProcesses !== false) {
    holdExpiry.start();
    interestPosting.start();
  }

  const services: TallyServices = {
    ledger,
    models,
    history: new HistoryReader(eventStore, snapshots),
    readModelProgress: followed ?? (consumers as Consumers).projector.progress,
    live,
    clock,
    logger: logger.child({ module: 'graphql' }),
    consistencyTimeoutMs: options.consistencyTimeoutMs ?? 5000,
  };
  let operations: Operations;
  try {
    operations = await startOperations({
      metrics,
      eventStore,
      db: models.checkpoints.db,
      models,
      live,
      logger,
      clock,
      readModelProgress: services.readModelProgress,
      consumers: [
        // On a follower, the leader's stored progress: a read model still backfilling (no
        // checkpoint yet, src/rebuild) then counts as live on every instance, not only the leader.
        ...readModelProjections.map((p) =>
          projectionConsumer(
            p.name,
            () => consumers?.projector.progress.reached ?? followed?.reached,
          ),
        ),
        {
          name: PROCESS_MANAGER_NAME,
          checkpointNames: [PROCESS_MANAGER_CHECKPOINT],
          handles: (event) => event.type === 'TransferSent',
          reached: () => consumers?.processManager?.progress.reached,
        },
      ],
      parkingConsumers: ['read-models', PROCESS_MANAGER_NAME],
      ...(options.readyMaxLagMs !== undefined ? { maxLagMs: options.readyMaxLagMs } : {}),
    });
  } catch (error) {
    // Started consumers must not outlive a failed start.
    await leadership?.stop();
    followed?.stop();
    await consumers?.stop();
    await live.close();
    throw error;
  }
  return {
    yoga: createTallyYoga(services, options.api, operations.plugins),
    services,
    eventStore,
    mongo,
    models,
    get projector() {
      if (!consumers) throw new Error('this instance is not the leader: it runs no projector');
      return consumers.projector;
    },
    get processManager() {
      return consumers?.processManager;
    },
    live,
    metrics,
    operations,
    leadership,
    holdExpiry,
    interestPosting,
    async close() {
      await holdExpiry.stop();
      await interestPosting.stop();
      await leadership?.stop();
      followed?.stop();
      await consumers?.stop();
      await operations.stop();
      await live.close();
      await mongo.close();
      await eventStore.dispose();
    },
  };
}
