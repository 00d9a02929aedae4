import { OrderedMap } from '@js-sdsl/ordered-map';
import { MaxKey, MinKey } from 'bson';
import type { Document } from './bson-values.js';
import { compareValues, typeRank } from './compare.js';
import { DuplicateKeyError } from './errors.js';
import { keyOf } from './index-key.js';
import { candidateValues, getPath } from './paths.js';
import { compileFilter, type Matcher } from './query.js';

export interface IndexSpec {
  name: string;
  key: Document;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
}

/** A bound of a range predicate, in value order. */
export interface Bound {
  value: unknown;
  inclusive: boolean;
}

type Tuple = unknown[];

const MIN = new MinKey();
const MAX = new MaxKey();

/**
 * One index, kept two ways:
 * - a Map from the canonical key string to document ids, so equality costs O(1);
 * - a red-black tree (@js-sdsl/ordered-map) over the key tuples in index order, so ranges and
 *   sorts cost O(log n + results) instead of a collection scan.
 * Multikey: a document with an array in an indexed field gets one entry per element.
 */
export class SecondaryIndex {
  readonly fields: string[];
  readonly directions: number[];
  /** True once some document put an array in an indexed field; such an index cannot give sort order. */
  multikey = false;
  private readonly entries = new Map<string, Set<string>>();
  private readonly tree: OrderedMap<Tuple, Set<string>>;
  private readonly partial: Matcher | undefined;

  constructor(
    readonly spec: IndexSpec,
    private readonly ns: string,
  ) {
    this.fields = Object.keys(spec.key);
    this.directions = this.fields.map((f) => (Number(String(spec.key[f])) < 0 ? -1 : 1));
    this.partial = spec.partialFilterExpression
      ? compileFilter(spec.partialFilterExpression)
      : undefined;
    this.tree = new OrderedMap<Tuple, Set<string>>([], (a, b) => this.compareTuples(a, b));
  }

  get name(): string {
    return this.spec.name;
  }

  /** True when the index holds every document (neither sparse nor partial). */
  get complete(): boolean {
    return !this.spec.sparse && !this.partial;
  }

  compareTuples(a: Tuple, b: Tuple): number {
    for (let i = 0; i < this.directions.length; i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c * this.directions[i]!;
    }
    return 0;
  }

  /** The key tuples of a document, or none when sparse/partial rules leave it out. */
  tuplesOf(doc: Document): Tuple[] {
    if (this.partial && !this.partial.test(doc)) return [];
    if (this.spec.sparse && this.fields.every((f) => getPath(doc, f) === undefined)) return [];
    let tuples: Tuple[] = [[]];
    for (const field of this.fields) {
      let values: unknown[];
      const direct = getPath(doc, field);
      if (Array.isArray(direct)) {
        this.multikey = true;
        values = direct.length ? direct : [undefined];
      } else if (direct === undefined && field.includes('.')) {
        // A path through an array (a.b where a is an array) is multikey too.
        const through = candidateValues(doc, field).filter((v) => v !== undefined);
        if (through.length > 1) this.multikey = true;
        values = through.length ? through : [undefined];
      } else values = [direct];
      tuples = tuples.flatMap((prefix) =>
        values.map((v) => [...prefix, v === undefined ? null : v]),
      );
    }
    const unique = new Map<string, Tuple>();
    for (const t of tuples) unique.set(tupleKey(t), t);
    return [...unique.values()];
  }

  /** Throws E11000 when adding `doc` (id `id`) would duplicate a unique key. */
  checkUnique(id: string, doc: Document): void {
    if (!this.spec.unique) return;
    for (const tuple of this.tuplesOf(doc)) {
      const holders = this.entries.get(tupleKey(tuple));
      if (holders && (holders.size > 1 || !holders.has(id))) {
        const keyValue: Document = {};
        this.fields.forEach((f, i) => {
          keyValue[f] = tuple[i];
        });
        throw new DuplicateKeyError(this.ns, this.name, this.spec.key, keyValue);
      }
    }
  }

  add(id: string, doc: Document): void {
    for (const tuple of this.tuplesOf(doc)) {
      const key = tupleKey(tuple);
      let set = this.entries.get(key);
      if (!set) {
        set = new Set();
        this.entries.set(key, set);
        this.tree.setElement(tuple, set);
      }
      set.add(id);
    }
  }

  remove(id: string, doc: Document): void {
    for (const tuple of this.tuplesOf(doc)) {
      const key = tupleKey(tuple);
      const set = this.entries.get(key);
      if (!set) continue;
      set.delete(id);
      if (set.size === 0) {
        this.entries.delete(key);
        this.tree.eraseElementByKey(tuple);
      }
    }
  }

  /** Ids whose indexed fields equal `values` (one value per indexed field, in order). */
  lookup(values: unknown[]): Set<string> | undefined {
    return this.entries.get(tupleKey(values));
  }

  /**
   * Ids in index order (or reversed) whose first `prefix.length` fields equal `prefix` and whose
   * next field lies within `lo`/`hi` (value order). Stops as soon as the range is left.
   */
  *scan(
    prefix: unknown[],
    lo: Bound | undefined,
    hi: Bound | undefined,
    reverse: boolean,
  ): Generator<string> {
    const j = prefix.length;
    const dir = this.directions[j] ?? 1;
    // In index order the range runs from `first` to `last`.
    const first = dir === 1 ? lo : hi;
    const last = dir === 1 ? hi : lo;
    const rank = lo ? typeRank(lo.value) : hi ? typeRank(hi.value) : undefined;
    const edge = (k: number, atStart: boolean) =>
      (this.directions[k] === 1) === atStart ? MIN : MAX;
    const fill = (from: number, atStart: boolean) =>
      this.fields.slice(from).map((_, i) => edge(from + i, atStart));
    const startKey: Tuple = first
      ? [...prefix, first.value, ...fill(j + 1, first.inclusive)]
      : [...prefix, ...fill(j, true)];
    const endKey: Tuple = last
      ? [...prefix, last.value, ...fill(j + 1, !last.inclusive)]
      : [...prefix, ...fill(j, false)];
    const inside = (tuple: Tuple): 'before' | 'in' | 'after' => {
      for (let i = 0; i < j; i++) {
        const c = compareValues(tuple[i], prefix[i]) * this.directions[i]!;
        if (c !== 0) return c < 0 ? 'before' : 'after';
      }
      if (j >= this.fields.length || rank === undefined) return 'in';
      const v = tuple[j];
      // Range predicates only match their own type bracket (numbers with numbers...).
      const r = typeRank(v);
      if (r !== rank) return (r - rank) * dir < 0 ? 'before' : 'after';
      if (first) {
        const c = compareValues(v, first.value) * dir;
        if (c < 0 || (c === 0 && !first.inclusive)) return 'before';
      }
      if (last) {
        const c = compareValues(v, last.value) * dir;
        if (c > 0 || (c === 0 && !last.inclusive)) return 'after';
      }
      return 'in';
    };
    const seen = new Set<string>();
    if (!reverse) {
      const end = this.tree.end();
      for (let it = this.tree.lowerBound(startKey); !it.equals(end); it.next()) {
        const [tuple, ids] = it.pointer;
        const where = inside(tuple);
        if (where === 'after') return;
        if (where === 'before') continue;
        for (const id of ids) if (!seen.has(id) && seen.add(id)) yield id;
      }
    } else {
      // reverseLowerBound gives a forward iterator (the last key <= endKey); walk it with pre().
      const it = this.tree.reverseLowerBound(endKey);
      if (it.equals(this.tree.end())) return;
      const begin = this.tree.begin();
      for (;;) {
        const [tuple, ids] = it.pointer;
        const where = inside(tuple);
        if (where === 'before') return;
        if (where === 'in') for (const id of ids) if (!seen.has(id) && seen.add(id)) yield id;
        if (it.equals(begin)) return;
        it.pre();
      }
    }
  }
}

function tupleKey(values: unknown[]): string {
  return values.length === 1 ? keyOf(values[0]) : values.map(keyOf).join('\u0000');
}
