import type { LogEvent } from './record.js';

/**
 * Bounded cache of decoded events by position, so hot reads (live subscribers, recent appends)
 * skip the disk. Two generations approximate LRU: a hit in the old one is promoted, and when the
 * new one reaches half the budget the old one is dropped whole. (Evicting a Map's oldest entry
 * one at a time is quadratic in V8.)
 */
export class EventCache {
  #current = new Map<number, LogEvent>();
  #currentBytes = 0;
  #previous = new Map<number, LogEvent>();

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get(position: number): LogEvent | undefined {
    const event = this.#current.get(position);
    if (event) return event;
    const old = this.#previous.get(position);
    if (old) this.set(old);
    return old;
  }

  set(event: LogEvent): void {
    if (this.#current.has(event.position)) return;
    this.#current.set(event.position, event);
    this.#currentBytes += event.size;
    if (this.#current.size >= this.maxEntries / 2 || this.#currentBytes >= this.maxBytes / 2) {
      this.#previous = this.#current;
      this.#current = new Map();
      this.#currentBytes = 0;
    }
  }
}
