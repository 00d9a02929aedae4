/**
 * What an upcaster may know of the stream before the event it upcasts, folded from the earlier
 * events *after* their own upcasting. Old shapes lacked what the current ones carry (the
 * currency, the balance after the movement), so an upcaster fills it in from here.
 */
export interface StreamSoFar {
  streamId: string;
  /** Revision of the last event folded in; -1 before the first. */
  revision: number;
  /** The currency the stream's events are in, from the first event that named one. */
  currency?: string;
  /** The balance after the last event that carried a `balanceAfter`. */
  balance: number;
}

/** Which stored event an upcaster is reading, for error messages that name it. */
export interface EventRef {
  streamId: string;
  revision: number;
  type: string;
  schemaVersion: number;
}

/**
 * Turns an event of one type and schema version into the next: vN → vN+1 of the same type, or,
 * for a type that was renamed, into version `to.version` of its successor. Pure: it never reads
 * the store; what it needs of the stream comes in `before`.
 */
export interface Upcaster {
  readonly from: { readonly type: string; readonly version: number };
  readonly to: { readonly type: string; readonly version: number };
  /**
   * True when `before` must be exact (the stream's currency and balance). Readers that start
   * mid-stream then fold the stream's earlier events first; the others get it for free.
   */
  readonly needsStream: boolean;
  upcast(data: unknown, before: StreamSoFar, event: EventRef): unknown;
}

/** An event that cannot be brought to the current shape: named, never guessed at. */
export class UpcastError extends Error {
  constructor(event: EventRef, problem: string) {
    super(
      `cannot read ${event.type} v${event.schemaVersion} at ${event.streamId}@${event.revision}: ${problem}`,
    );
    this.name = 'UpcastError';
  }
}

export const emptyStream = (streamId: string): StreamSoFar => ({
  streamId,
  revision: -1,
  balance: 0,
});

/** The stream after one more (already upcast) event: generic, from the fields money events carry. */
export function streamAfter(before: StreamSoFar, revision: number, data: unknown): StreamSoFar {
  const fields = (data ?? {}) as { currency?: unknown; balanceAfter?: unknown };
  const next: StreamSoFar = { ...before, revision };
  if (typeof fields.currency === 'string' && next.currency === undefined) {
    next.currency = fields.currency;
  }
  if (typeof fields.balanceAfter === 'number') next.balance = fields.balanceAfter;
  return next;
}
