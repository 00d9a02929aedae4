import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { describeDevTokens, setUpAuth } from './auth/auth-setup.js';
import { ConfigError, loadConfig } from './config.js';
import { apiOptionsFrom, socketLimitsFrom } from './http/api-options.js';
import { assertCanListen, closeWithin, ListenError, listen } from './http/listen.js';
import { rootLogger } from './logger.js';
import { STAND_IN_NAMES, startStandIns } from './standins/index.js';

/**
 * Starts Tally. Without EVENTSTORE_URL / MONGODB_URL it starts the embedded stand-ins in this
 * process, each on its own worker thread, on loopback, keeping their data under DATA_DIR, so a
 * restart shows the same ledger.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.LOG_LEVEL) rootLogger.level = config.LOG_LEVEL;
  const logger = rootLogger;
  const closers: Array<() => Promise<void>> = [];
  let stopping = false;
  const stop = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const close of closers) {
      await close().catch((error: unknown) =>
        logger.error({ err: error }, 'error while shutting down'),
      );
    }
    process.exit(exitCode);
  };
  const auth = await setUpAuth(config);
  await assertCanListen(config.PORT, config.HOST);
  // The heavy modules load only now, so a bad configuration or a taken port is told at once.
  // Stand-ins for the stores without a URL start first, each on its own thread, while this one
  // loads Tally's modules; a stand-in that stops on its own stops Tally, saying which one.
  const standInsStarting = startStandIns({
    kinds: [
      ...(config.EVENTSTORE_URL ? [] : ['eventstore' as const]),
      ...(config.MONGODB_URL ? [] : ['mongo' as const]),
    ],
    dataDir: config.DATA_DIR,
    threads: config.STANDINS_THREADS,
    changeHistory: config.STANDIN_CHANGE_HISTORY,
    onCrash: (error) => {
      logger.fatal({ err: error }, `${error.message}; stopping Tally`);
      void stop('stand-in crash', 1);
    },
  });
  standInsStarting.catch(() => undefined);
  const [{ startTally }, { createHttpServer }] = await Promise.all([
    import('./app.js'),
    import('./server.js'),
  ]);
  const standIns = await standInsStarting;
  closers.unshift(() => standIns.close());
  for (const worker of standIns.workers) {
    logger.info(
      { url: worker.url, dataDir: resolve(join(config.DATA_DIR, worker.kind)) },
      `embedded ${STAND_IN_NAMES[worker.kind]} started`,
    );
  }
  const eventStoreUrl = config.EVENTSTORE_URL ?? standIns.urls.eventstore!;
  const mongoUrl = config.MONGODB_URL ?? standIns.urls.mongo!;

  const api = apiOptionsFrom(config, auth);
  const tally = await startTally({
    eventStoreUrl,
    mongoUrl,
    mongoDb: config.MONGODB_DB,
    logger,
    api,
    // Every instance competes for the consumers' lease (alone, it wins at once), unless it is
    // API only: then the projector and the processes never share its event loop.
    leadership: {
      holder: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      campaign: config.RUN_CONSUMERS,
    },
    runTimedProcesses: config.RUN_CONSUMERS,
    projectorThread: config.PROJECTOR_THREAD,
    readyMaxLagMs: config.READY_MAX_LAG_MS,
    snapshotEvery: config.SNAPSHOT_EVERY,
    foldCache: {
      maxStreams: config.FOLD_CACHE_STREAMS,
      maxCommandsPerStream: config.FOLD_CACHE_COMMANDS_PER_STREAM,
    },
    idempotencyClaimsCached: config.IDEMPOTENCY_CLAIMS_CACHED,
    liveMaxPending: config.LIVE_MAX_PENDING,
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
