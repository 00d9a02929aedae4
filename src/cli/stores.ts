import { BACKWARDS, END, EventStoreDBClient } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import { ConfigError, loadConfig } from '../config.js';
import { type ReadModels, readModels } from '../read/read-models.js';
import { ConnectionError, UsageError } from './command.js';

/** How long a CLI command waits for a store to answer before saying it cannot reach it. */
const CONNECT_TIMEOUT_MS = 5000;

export interface Stores {
  eventStore: EventStoreDBClient;
  mongo: MongoClient;
  models: ReadModels;
  close(): Promise<void>;
}

export const STORES_HELP = `The stores are those of a running Tally, named by the same variables as the server:
  EVENTSTORE_URL   e.g. esdb://localhost:2113?tls=false
  MONGODB_URL      e.g. mongodb://localhost:27017/?replicaSet=rs0
  MONGODB_DB       database of the read models (default tally)
Both URLs are required. The embedded stand-ins that \`npm start\` runs without them keep their
data under DATA_DIR and lock it while Tally runs, so a second process cannot open it: start the
stand-ins on their own (\`npm run eventstore\`, \`npm run mongo\`, each prints its URL) and point
both Tally and this command at them.`;

/** Connects to the stores of the running Tally the environment names, or says why it cannot. */
export async function connectStores(env: NodeJS.ProcessEnv = process.env): Promise<Stores> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const missing = (['EVENTSTORE_URL', 'MONGODB_URL'] as const).filter((name) => !config[name]);
  if (missing.length > 0) {
    throw new ConnectionError(
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set.\n${STORES_HELP}`,
    );
  }
  const eventStore = EventStoreDBClient.connectionString(config.EVENTSTORE_URL!);
  const mongo = new MongoClient(config.MONGODB_URL!, {
    serverSelectionTimeoutMS: CONNECT_TIMEOUT_MS,
  });
  const close = async () => {
    await mongo.close().catch(() => undefined);
    await eventStore.dispose().catch(() => undefined);
  };
  try {
    await mongo.connect();
  } catch (error) {
    await close();
    throw new ConnectionError(`Cannot reach MongoDB at ${config.MONGODB_URL}: ${message(error)}`);
  }
  try {
    // A read of one event, to the end, so the client does not hold a half-read call.
    for await (const _ of eventStore.readAll({
      direction: BACKWARDS,
      fromPosition: END,
      maxCount: 1,
      deadline: CONNECT_TIMEOUT_MS,
    })) {
      // Answering is all that is asked.
    }
  } catch (error) {
    await close();
    throw new ConnectionError(
      `Cannot reach EventStoreDB at ${config.EVENTSTORE_URL}: ${message(error)}`,
    );
  }
  return { eventStore, mongo, models: readModels(mongo.db(config.MONGODB_DB)), close };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
