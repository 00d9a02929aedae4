/**
 * The ids of the most recent events (about `capacity`), for idempotent retries at `any`, like
 * EventStoreDB's committed-events cache. Two generations of Maps instead of one LRU Map: evicting
 * a Map's oldest entry one by one degrades to quadratic time in V8 (deleted slots are skipped on
 * every `keys().next()`), which made a million-event start-up take most of a minute.
 */
export class RecentIds {
  #current = new Map<string, number>();
  #previous = new Map<string, number>();

  constructor(readonly capacity: number) {}

  get(id: string): number | undefined {
    return this.#current.get(id) ?? this.#previous.get(id);
  }

  set(id: string, position: number): void {
    this.#current.set(id, position);
    if (this.#current.size >= this.capacity / 2) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
  }
}
