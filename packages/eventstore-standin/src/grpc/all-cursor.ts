import type { LogEvent } from '../log/record.js';
import type { EventStore } from '../store/event-store.js';

/**
 * A forward position in $all, always on a record boundary. $all reads and $all subscriptions
 * both walk the log with one: a read up to where the log ended when it started, a subscription
 * up to the durable end, again after every group commit.
 */
export class AllCursor {
  #position: number;

  constructor(
    private readonly store: EventStore,
    position: number,
  ) {
    // Land on the first record at or after `position` (which may point at any byte of the log).
    const index = store.allIndexAtOrAfter(position);
    this.#position = index < store.allCount() ? store.allPositionAt(index) : store.log.reservedEnd;
  }

  /** Where the next event is read from. */
  get position(): number {
    return this.#position;
  }

  /**
   * The durable events from the cursor up to `end` (exclusive), read from the log in chunks. The
   * cursor moves past each event as it is handed out, so a caller that stops early resumes after
   * the last event it took.
   */
  *eventsBefore(end: number): Generator<LogEvent> {
    while (this.#position < end) {
      const events = this.store.readForward(this.#position);
      if (events.length === 0) return; // `end` beyond the durable end: nothing more yet
      for (const event of events) {
        if (event.position >= end) return;
        this.#position = event.position + event.size;
        yield event;
      }
    }
  }
}
