/**
 * A growable array of log positions (doubles hold integers up to 2^53 exactly). Eight bytes per
 * event instead of a JavaScript object: this is what keeps a million events cheap to index.
 */
export class Positions {
  #values = new Float64Array(4);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(position: number): void {
    if (this.#length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = position;
  }

  at(index: number): number {
    return this.#values[index] as number;
  }

  /** Number of entries below `position` (entries are sorted ascending). */
  countBelow(position: number): number {
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
