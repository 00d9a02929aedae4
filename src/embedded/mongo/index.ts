// Placeholder: the embedded MongoDB stand-in is being written (issue 4).
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

export async function startEmbeddedMongo(
  _options: EmbeddedMongoOptions = {},
): Promise<EmbeddedMongo> {
  throw new Error('not implemented yet');
}
