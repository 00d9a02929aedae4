// Placeholder: the embedded EventStoreDB stand-in is being written (issue 3).
export interface EmbeddedEventStoreOptions {
  host?: string;
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Directory of the durable log; undefined means memory-only mode. */
  dataDir?: string;
}

export interface EmbeddedEventStore {
  /** Connection string for @eventstore/db-client, e.g. esdb://127.0.0.1:2113?tls=false */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startEmbeddedEventStore(
  _options: EmbeddedEventStoreOptions = {},
): Promise<EmbeddedEventStore> {
  throw new Error('not implemented yet');
}
