import { Positions } from './positions.js';
import type { StreamMetadata } from './stream-metadata.js';

/** What the store keeps per stream: positions by revision, not the events themselves. */
export class StreamState {
  readonly positions = new Positions();
  /** Position of the `$streamDeleted` tombstone, durable or not. */
  tombstone: number | undefined;
  /** Latest metadata including appends still waiting for their flush: decides writes. */
  writeMetadata: StreamMetadata | undefined;
  /** Latest durable metadata: decides what reads show. */
  readMetadata: StreamMetadata | undefined;

  constructor(readonly name: string) {}

  /** Revision of the last event, durable or not; -1 when there is none. */
  get lastRevision(): number {
    return this.positions.length - 1;
  }
}

export interface SubscriptionProgress {
  /** The stream name, or `$all`. */
  readonly target: string;
  /** Events sent so far. */
  delivered: number;
  /** Responses written but not yet taken by the transport (bounded by backpressure). */
  buffered(): number;
  /** True while the subscription waits for a slow client to take what was sent. */
  blocked(): boolean;
}
