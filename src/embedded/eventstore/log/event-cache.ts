import type { LogEvent } from './record.js';

/** Bounded LRU of decoded events by position, so hot reads (live subscribers) skip the disk. */
export class EventCache {
  readonly #entries = new Map<number, LogEvent>();
  #bytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get(position: number): LogEvent | undefined {
    const event = this.#entries.get(position);
    if (event) {
      this.#entries.delete(position);
      this.#entries.set(position, event);
    }
    return event;
  }

  set(event: LogEvent): void {
    if (this.#entries.has(event.position)) return;
    this.#entries.set(event.position, event);
    this.#bytes += event.size;
    while (this.#entries.size > this.maxEntries || this.#bytes > this.maxBytes) {
      const oldest = this.#entries.entries().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value[0]);
      this.#bytes -= oldest.value[1].size;
    }
  }
}
