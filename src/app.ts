import { EventStoreDBClient } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import type { TallyServices } from './graphql/context.js';
import { type ApiOptions, createTallyYoga, type TallyYoga } from './graphql/yoga.js';
import { createLiveFeeds, type LiveFeeds } from './live/live-feeds.js';
import type { Logger } from './logger.js';
import { createTransferProcessManager } from './process/transfer-process-manager.js';
import { CheckpointStore } from './read/checkpoint-store.js';
import type { CheckpointedSubscription } from './read/checkpointed-subscription.js';
import { createProjector } from './read/projector.js';
import { ensureIndexes, type ReadModels, readModels } from './read/read-models.js';
import { Ledger } from './write/ledger.js';

export interface TallyOptions {
  eventStoreUrl: string;
  mongoUrl: string;
  mongoDb: string;
  logger: Logger;
  /** Authentication and exposure of the GraphQL API. */
  api: ApiOptions;
  consistencyTimeoutMs?: number;
  clock?: () => Date;
  /** Off in tests that drive the process manager themselves. */
  runProcessManager?: boolean;
}

/** A running Tally: the write side, the projector, the process manager and the GraphQL handler. */
export interface Tally {
  yoga: TallyYoga;
  services: TallyServices;
  eventStore: EventStoreDBClient;
  mongo: MongoClient;
  models: ReadModels;
  projector: CheckpointedSubscription;
  processManager: CheckpointedSubscription | undefined;
  live: LiveFeeds;
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
  const ledger = new Ledger(eventStore);
  const projector = createProjector(eventStore, models, logger.child({ module: 'projector' }));
  await projector.start();
  const processManager =
    options.runProcessManager === false
      ? undefined
      : createTransferProcessManager(
          eventStore,
          ledger,
          new CheckpointStore(models.checkpoints),
          logger.child({ module: 'transfer-process-manager' }),
          clock,
        );
  try {
    await processManager?.start();
  } catch (error) {
    await projector.stop();
    throw error;
  }
  const live = createLiveFeeds(models, logger.child({ module: 'live' }));

  const services: TallyServices = {
    ledger,
    models,
    readModelProgress: projector.progress,
    live,
    clock,
    logger: logger.child({ module: 'graphql' }),
    consistencyTimeoutMs: options.consistencyTimeoutMs ?? 5000,
  };
  return {
    yoga: createTallyYoga(services, options.api),
    services,
    eventStore,
    mongo,
    models,
    projector,
    processManager,
    live,
    async close() {
      await processManager?.stop();
      await projector.stop();
      await live.close();
      await mongo.close();
      await eventStore.dispose();
    },
  };
}
