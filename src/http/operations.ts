import type { EventStoreDBClient } from '@eventstore/db-client';
import type { Plugin } from 'graphql-yoga';
import type { Db } from 'mongodb';
import type { LiveFeeds } from '../live/live-feeds.js';
import type { Logger } from '../logger.js';
import { isTallyEvent, type LaggingConsumer, LagMonitor } from '../metrics/consumer-lag.js';
import { HeadWatcher } from '../metrics/head-watcher.js';
import type { TallyMetrics } from '../metrics/metrics.js';
import { ParkedEventStore } from '../read/parking/index.js';
import type { Progress } from '../read/progress.js';
import type { ReadModels } from '../read/read-models.js';
import { useObservability } from './observability.js';
import { useOpsEndpoints } from './ops-endpoints.js';
import { checkReadiness, type ReadinessReport } from './readiness.js';

export const DEFAULT_READY_MAX_LAG_MS = 5000;

export interface Operations {
  lag: LagMonitor;
  head: HeadWatcher;
  /** /ready, /metrics, request logs and extensions.readModel, for yoga. */
  plugins: Plugin[];
  readiness(): Promise<ReadinessReport>;
  stop(): Promise<void>;
}

/**
 * What an operator sees of one instance: readiness, metrics, request logs and the freshness of
 * every answer. Works the same on the leader and the other instances: lag is measured against
 * the stored checkpoints, and the head is followed by a subscription of its own.
 */
export async function startOperations(deps: {
  metrics: TallyMetrics;
  eventStore: EventStoreDBClient;
  db: Db;
  models: ReadModels;
  live: LiveFeeds;
  logger: Logger;
  clock: () => Date;
  consumers: readonly LaggingConsumer[];
  /** Names under which subscriptions park events (reported as 0 until one does). */
  parkingConsumers: readonly string[];
  readModelProgress: Progress;
  maxLagMs?: number;
}): Promise<Operations> {
  const { metrics, models, logger } = deps;
  const head = new HeadWatcher(deps.eventStore, logger.child({ module: 'head-watcher' }));
  await head.start();
  const lag = new LagMonitor(head, models.checkpoints, deps.eventStore, deps.consumers, deps.clock);
  const maxLagMs = deps.maxLagMs ?? DEFAULT_READY_MAX_LAG_MS;

  metrics.onScrape(async () => {
    for (const consumer of await lag.measure()) {
      metrics.projectionLagEvents.set({ projection: consumer.name }, consumer.events);
      metrics.projectionLagSeconds.set({ projection: consumer.name }, consumer.ms / 1000);
      metrics.projectionPosition.set({ projection: consumer.name }, Number(consumer.position));
    }
  });
  metrics.onScrape(async () => {
    metrics.transfersInFlight.set(await models.transfers.countDocuments({ status: 'PENDING' }));
  });
  metrics.onScrape(async () => {
    const parked = deps.db.collection(ParkedEventStore.COLLECTION);
    const counts = await parked
      .aggregate<{ _id: string; count: number }>([
        { $group: { _id: '$consumer', count: { $sum: 1 } } },
      ])
      .toArray();
    metrics.parkedEvents.reset();
    for (const consumer of deps.parkingConsumers) metrics.parkedEvents.set({ consumer }, 0);
    for (const { _id, count } of counts) metrics.parkedEvents.set({ consumer: _id }, count);
  });
  metrics.onScrape(async () => {
    metrics.liveSubscribers.set({ feed: 'accounts' }, deps.live.accounts.stats().listeners);
    metrics.liveSubscribers.set({ feed: 'transactions' }, deps.live.transactions.stats().listeners);
  });

  const readiness = () =>
    checkReadiness({ eventStore: deps.eventStore, db: deps.db, lag, maxLagMs, logger });
  const freshness = () => {
    const reached = deps.readModelProgress.reached;
    return {
      position: reached < 0n ? null : String(reached),
      lagMs: lag.readModelLagMs(reached),
    };
  };
  return {
    lag,
    head,
    readiness,
    plugins: [
      useOpsEndpoints({ metrics, readiness }),
      useObservability({ metrics, logger: logger.child({ module: 'http' }), freshness }) as Plugin,
    ],
    stop: () => head.stop(),
  };
}

/** Consumers measured by name: read-model projections apply every Tally event. */
export function projectionConsumer(
  name: string,
  reached: () => bigint | undefined,
): LaggingConsumer {
  return { name, checkpointNames: [`projection:${name}`], handles: isTallyEvent, reached };
}
