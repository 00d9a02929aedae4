import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { describeDevTokens, setUpAuth } from './auth/auth-setup.js';
import { ConfigError, loadConfig } from './config.js';
import { apiOptionsFrom, socketLimitsFrom } from './http/api-options.js';
import { assertCanListen, closeWithin, ListenError, listen } from './http/listen.js';
import { rootLogger } from './logger.js';

/**
 * Starts Tally. Without EVENTSTORE_URL / MONGODB_URL it starts the embedded stand-ins in this
 * process, on loopback, keeping their data under DATA_DIR, so a restart shows the same ledger.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.LOG_LEVEL) rootLogger.level = config.LOG_LEVEL;
  const logger = rootLogger;
  const closers: Array<() => Promise<void>> = [];
  const auth = await setUpAuth(config);
  await assertCanListen(config.PORT, config.HOST);
  // The heavy modules load only now, so a bad configuration or a taken port is told at once.
  const [
    { startTally },
    { startEmbeddedEventStore },
    { startEmbeddedMongo },
    { createHttpServer },
  ] = await Promise.all([
    import('./app.js'),
    import('./embedded/eventstore/index.js'),
    import('./embedded/mongo/index.js'),
    import('./server.js'),
  ]);

  let eventStoreUrl = config.EVENTSTORE_URL;
  let mongoUrl = config.MONGODB_URL;
  if (!eventStoreUrl || !mongoUrl) {
    await mkdir(config.DATA_DIR, { recursive: true, mode: 0o700 });
  }
  if (!eventStoreUrl) {
    const dataDir = resolve(join(config.DATA_DIR, 'eventstore'));
    const store = await startEmbeddedEventStore({ host: '127.0.0.1', port: 0, dataDir });
    closers.unshift(() => store.close());
    eventStoreUrl = store.url;
    logger.info({ url: store.url, dataDir }, 'embedded EventStoreDB stand-in started');
  }
  if (!mongoUrl) {
    const dataDir = resolve(join(config.DATA_DIR, 'mongo'));
    const mongo = await startEmbeddedMongo({ host: '127.0.0.1', port: 0, dataDir });
    closers.unshift(() => mongo.close());
    mongoUrl = mongo.url;
    logger.info({ url: mongo.url, dataDir }, 'embedded MongoDB stand-in started');
  }

  const api = apiOptionsFrom(config, auth);
  const tally = await startTally({
    eventStoreUrl,
    mongoUrl,
    mongoDb: config.MONGODB_DB,
    logger,
    api,
    // Every instance competes for the consumers' lease; alone, it wins at once.
    leadership: { holder: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}` },
    readyMaxLagMs: config.READY_MAX_LAG_MS,
    snapshotEvery: config.SNAPSHOT_EVERY,
  });
  closers.unshift(() => tally.close());
  const http = createHttpServer(tally.yoga, auth.verifyToken, socketLimitsFrom(config), {
    devTokens: auth.devTokens,
  });
  closers.unshift(() => http.close());
  try {
    await listen(http.server, config.PORT, config.HOST);
  } catch (error) {
    // Stop what was started (the stand-ins release their data directories), then exit.
    await closeWithin(closers, 3000);
    throw error;
  }
  if (auth.devTokens) console.log(describeDevTokens(auth.devTokens));
  logger.info(
    `Tally is listening: ${api.exposeSchema ? 'GraphiQL' : 'GraphQL'} at http://${config.HOST}:${config.PORT}/graphql`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const close of closers) {
      await close().catch((error: unknown) =>
        logger.error({ err: error }, 'error while shutting down'),
      );
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof ListenError) {
    console.error(error.message);
  } else {
    rootLogger.fatal({ err: error }, 'Tally failed to start');
  }
  process.exit(1);
});
