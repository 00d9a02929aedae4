import { WireServer } from './server.js';
import { Store } from './storage/store.js';

export interface EmbeddedMongoOptions {
  host?: string;
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Directory to persist data in; undefined keeps everything in memory. */
  dataDir?: string;
}

export interface EmbeddedMongo {
  /** Connection string for the official driver, e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the MongoDB stand-in: a single-node replica set ("rs0") primary that the official
 * driver talks to over loopback. See docs/mongo.md for what it supports.
 */
export async function startEmbeddedMongo(
  options: EmbeddedMongoOptions = {},
): Promise<EmbeddedMongo> {
  const host = options.host ?? '127.0.0.1';
  const store = new Store();
  // `me`/`hosts` must equal what the client dials, which needs the port: bind first, then name it.
  let me = '';
  const server = new WireServer(store, () => me);
  const port = await server.listen(options.port ?? 0, host);
  me = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `mongodb://${me}/?replicaSet=rs0`,
    port,
    close: () => server.close(),
  };
}
