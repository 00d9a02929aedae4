import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { OpenCalls } from './grpc/open-calls.js';
import { lockDataDir } from './log/dir-lock.js';
import type { RecoveryReport } from './log/event-log.js';
import { FileStorage, type LogStorage, MemoryStorage } from './log/storage.js';
import { createLogger } from './logger.js';
import { ProjectionRegistry } from './projections/projection-registry.js';
import { grpc } from './protocol.js';
import { createGrpcServer } from './server.js';
import { EventStore } from './store/event-store.js';
import type { Clock } from './store/types.js';

const log = createLogger('eventstore');

export interface EmbeddedEventStoreOptions {
  host?: string;
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Directory of the durable log; undefined means memory-only mode. */
  dataDir?: string;
  /** Server clock (ms since the Unix epoch); tests move it to check `$maxAge`. */
  clock?: Clock;
  /**
   * EventStoreDB's `WriteTimeoutMs` (default 2000): how long a BatchAppend append may take to
   * arrive in full, whatever the client's deadline.
   */
  writeTimeoutMs?: number;
  /**
   * EventStoreDB's `KeepAliveInterval` and `KeepAliveTimeout` (10,000 ms each): the server pings
   * every connection this often and drops one whose ping goes unanswered this long, so a client
   * that vanished without closing its socket does not hold its calls forever.
   */
  keepAliveIntervalMs?: number;
  keepAliveTimeoutMs?: number;
  /**
   * EventStoreDB's `RunProjections`: 'none' (the default, as EventStoreDB's) runs no projection
   * and answers the Projections service UNIMPLEMENTED; 'system' runs `$by_category` only; 'all'
   * also runs user JavaScript projections. An application embedding the stand-in (Tally's
   * `npm start`) thus runs no client's JavaScript unless it asks to; the CLI defaults to 'all'.
   */
  runProjections?: RunProjections;
}

export type RunProjections = 'none' | 'system' | 'all';

export interface EmbeddedEventStore {
  /** Connection string for @eventstore/db-client, e.g. esdb://127.0.0.1:2113?tls=false */
  readonly url: string;
  readonly port: number;
  /** What start-up recovery found: events replayed, bytes cut from a torn tail and why. */
  readonly recovery: RecoveryReport;
  /** Active subscriptions: what each was sent and what is buffered for it (diagnostics). */
  subscriptions(): Array<{ target: string; delivered: number; buffered: number; blocked: boolean }>;
  /**
   * Read calls (reads and subscriptions) the server holds: from their start until they are over
   * (finished, cancelled by the client, their connection gone, or their deadline passed).
   */
  openReads(): number;
  /** Resolves once no Read call is held (at once if none is). */
  noOpenReads(): Promise<void>;
  close(): Promise<void>;
}

/** The log file inside a data directory. */
export const LOG_FILE_NAME = 'events.log';

/**
 * Starts an EventStoreDB stand-in that the unmodified @eventstore/db-client talks to over
 * loopback. With `dataDir` the log is durable (fdatasync before every acknowledgement).
 */
export async function startEmbeddedEventStore(
  options: EmbeddedEventStoreOptions = {},
): Promise<EmbeddedEventStore> {
  const host = options.host ?? '127.0.0.1';
  let storage: LogStorage;
  let unlock = () => {};
  if (options.dataDir) {
    // Owner-only: the events are the ledger.
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    unlock = lockDataDir(options.dataDir);
    storage = new FileStorage(join(options.dataDir, LOG_FILE_NAME));
  } else {
    storage = new MemoryStorage();
  }
  const started = performance.now();
  const store = await EventStore.open(storage, options.clock).catch((error: unknown) => {
    storage.close();
    unlock();
    throw error;
  });
  const recoveryMs = Math.round(performance.now() - started);
  const runProjections = options.runProjections ?? 'none';
  const projections = runProjections === 'none' ? undefined : ProjectionRegistry.open(store);
  const openReads = new OpenCalls();
  const server = createGrpcServer(store, projections, openReads, {
    runProjections,
    writeTimeoutMs: options.writeTimeoutMs,
    keepAliveIntervalMs: options.keepAliveIntervalMs,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs,
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${host}:${options.port ?? 0}`,
      grpc.ServerCredentials.createInsecure(),
      (error, boundPort) => (error ? reject(error) : resolve(boundPort)),
    );
  }).catch(async (error) => {
    await projections?.close();
    await store.close();
    unlock();
    throw error;
  });
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `esdb://${urlHost}:${port}?tls=false`;
  // Logged on the next turn, so a CLI prints the connection string as the first line of stdout.
  setImmediate(() => {
    const { recovery } = store;
    const fields = { url, dataDir: options.dataDir ?? '(memory)', ...recovery, recoveryMs };
    if (recovery.cutBytes > 0)
      log.warn(fields, 'event store recovered, cutting a torn or corrupt tail');
    else log.info(fields, 'event store listening');
  });
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    recovery: store.recovery,
    subscriptions: () =>
      [...store.subscriptions].map((s) => ({
        target: s.target,
        delivered: s.delivered,
        buffered: s.buffered(),
        blocked: s.blocked(),
      })),
    openReads: () => openReads.size,
    noOpenReads: () => openReads.none(),
    close() {
      closing ??= (async () => {
        // Subscriptions are endless calls: cancel them rather than wait.
        server.forceShutdown();
        // Projections finish their writes in flight (and checkpoint) before the log closes.
        await projections?.close();
        await store.close();
        unlock();
      })();
      return closing;
    },
  };
}
