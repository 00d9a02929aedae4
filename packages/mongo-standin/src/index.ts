import { DEFAULT_CONNECTION_LIMITS, WireServer } from './server.js';
import { Persistence } from './storage/persistence.js';
import { Store } from './storage/store.js';

export interface EmbeddedMongoOptions {
  host?: string;
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Directory to persist data in; undefined keeps everything in memory. */
  dataDir?: string;
  /**
   * With `dataDir`: the journal size at which a new snapshot is written in the background and
   * the journal started afresh (default 256 MiB).
   */
  journalSnapshotBytes?: number;
  /** How many change events change streams can resume from (default 100,000). */
  changeHistory?: number;
  /** Open connections at most, like mongod's maxIncomingConnections (default 1,000). */
  maxConnections?: number;
  /** Bytes one connection may buffer (default 64 MiB; messages are at most 48 MB). */
  maxConnectionBufferBytes?: number;
  /**
   * mongod's `--setParameter enableTestCommands=1`: adds `configureFailPoint` (the failCommand
   * and failGetMoreAfterCursorCheckout fail points) for tests. Default false, as in mongod:
   * without it the command does not exist (59), so no client can make the server fail.
   */
  enableTestCommands?: boolean;
}

export interface EmbeddedMongo {
  /** Connection string for the official driver, e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the MongoDB stand-in: a single-node replica set ("rs0") primary that the official
 * driver talks to over loopback. See the package README for what it supports.
 */
export async function startEmbeddedMongo(
  options: EmbeddedMongoOptions = {},
): Promise<EmbeddedMongo> {
  const host = options.host ?? '127.0.0.1';
  const store = new Store();
  const opened = options.dataDir
    ? Persistence.open(options.dataDir, store, options.journalSnapshotBytes)
    : undefined;
  // `me`/`hosts` must equal what the client dials, which needs the port: bind first, then name it.
  let me = '';
  const server = new WireServer(
    store,
    () => me,
    options.changeHistory,
    {
      maxConnections: options.maxConnections ?? DEFAULT_CONNECTION_LIMITS.maxConnections,
      maxConnectionBufferBytes:
        options.maxConnectionBufferBytes ?? DEFAULT_CONNECTION_LIMITS.maxConnectionBufferBytes,
    },
    options.enableTestCommands === true,
  );
  const seqOf = () => server.state.changes.lastSeq;
  if (opened) {
    server.state.changes.continueAfter(opened.lastSeq);
    // Change streams, like mongod's majority-committed ones, show only what is on disk.
    server.state.changes.showOnlyDurable(opened.lastSeq);
    opened.persistence.attach(store, seqOf, (seq) => server.state.changes.markDurable(seq));
    server.state.durability = opened.persistence;
  }
  let port: number;
  try {
    port = await server.listen(options.port ?? 0, host);
  } catch (error) {
    await opened?.persistence.close(store, seqOf);
    throw error;
  }
  // A wildcard bind address is not dialable: name loopback, which the url then uses.
  const dialHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  me = `${dialHost.includes(':') ? `[${dialHost}]` : dialHost}:${port}`;
  let closed: Promise<void> | undefined;
  return {
    url: `mongodb://${me}/?replicaSet=rs0`,
    port,
    close: () => {
      closed ??= server.close().then(() => opened?.persistence.close(store, seqOf));
      return closed;
    },
  };
}
