/**
 * A growable array of log positions (doubles hold integers up to 2^53 exactly). Eight bytes per
 * event instead of a JavaScript object: this is what keeps a million events cheap to index.
 *
 * A stream with one event keeps its position in a field and no array at all. Most streams of a
 * ledger never get a second event (a command's idempotency claim, a hold's directory entry), and
 * a typed array costs about 270 bytes of heap however short it is: that was more than half of
 * what every new stream added to the store's memory.
 */
export class Positions {
  /** The position while there is only one. */
  #only = 0;
  #values: Float64Array | undefined;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(position: number): void {
    if (this.#length === 0) {
      this.#only = position;
      this.#length = 1;
      return;
    }
    if (!this.#values) {
      this.#values = new Float64Array(4);
      this.#values[0] = this.#only;
    } else if (this.#length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = position;
  }

  /** The position at `index`, which must be below `length`. */
  at(index: number): number {
    if (!this.#values) return this.#only;
    return this.#values[index] as number;
  }

  /** Number of entries below `position` (entries are sorted ascending). */
  countBelow(position: number): number {
    if (!this.#values) return this.#length === 1 && this.#only < position ? 1 : 0;
    let low = 0;
    let high = this.#length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#values[mid] as number) < position) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
