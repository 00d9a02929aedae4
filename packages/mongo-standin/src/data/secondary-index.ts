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
type Holders = string | Set<string>;

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
  /** One id as a plain string (the common, unique case) or a Set when several share a key. */
  private readonly entries = new Map<string, Holders>();
  /** Keyed by the value itself for a single-field index, by the tuple for a compound one. */
  private readonly tree: OrderedMap<unknown, Holders>;
  private readonly single: boolean;
  private readonly partial: Matcher | undefined;

  constructor(
    readonly spec: IndexSpec,
    /** The collection's namespace now (it changes on renameCollection). */
    private readonly nsOf: () => string,
  ) {
    this.fields = Object.keys(spec.key);
    this.directions = this.fields.map((f) => (Number(String(spec.key[f])) < 0 ? -1 : 1));
    this.partial = spec.partialFilterExpression
      ? compileFilter(spec.partialFilterExpression)
      : undefined;
    this.single = this.fields.length === 1;
    const dir = this.directions[0]!;
    this.tree = this.single
      ? new OrderedMap<unknown, Holders>([], (a, b) => compareValues(a, b) * dir)
      : new OrderedMap<unknown, Holders>([], (a, b) => this.compareTuples(a as Tuple, b as Tuple));
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
      const taken =
        typeof holders === 'string'
          ? holders !== id
          : holders !== undefined && (holders.size > 1 || !holders.has(id));
      if (taken) {
        const keyValue: Document = {};
        this.fields.forEach((f, i) => {
          keyValue[f] = tuple[i];
        });
        throw new DuplicateKeyError(this.nsOf(), this.name, this.spec.key, keyValue);
      }
    }
  }

  add(id: string, doc: Document): void {
    for (const tuple of this.tuplesOf(doc)) {
      const key = tupleKey(tuple);
      const holders = this.entries.get(key);
      if (holders === undefined) {
        this.entries.set(key, id);
        this.tree.setElement(this.treeKey(tuple), id);
      } else if (typeof holders === 'string') {
        if (holders === id) continue;
        const both = new Set([holders, id]);
        this.entries.set(key, both);
        this.tree.setElement(this.treeKey(tuple), both);
      } else holders.add(id);
    }
  }

  remove(id: string, doc: Document): void {
    for (const tuple of this.tuplesOf(doc)) {
      const key = tupleKey(tuple);
      const holders = this.entries.get(key);
      if (holders === undefined) continue;
      if (typeof holders !== 'string') {
        holders.delete(id);
        if (holders.size > 1) continue;
        const [remaining] = holders;
        if (remaining !== undefined) {
          this.entries.set(key, remaining);
          this.tree.setElement(this.treeKey(tuple), remaining);
          continue;
        }
      } else if (holders !== id) continue;
      this.entries.delete(key);
      this.tree.eraseElementByKey(this.treeKey(tuple));
    }
  }

  private treeKey(tuple: Tuple): unknown {
    return this.single ? tuple[0] : tuple;
  }

  /** Ids whose indexed fields equal `values` (one value per indexed field, in order). */
  lookup(values: unknown[]): Iterable<string> | undefined {
    const holders = this.entries.get(tupleKey(values));
    return typeof holders === 'string' ? [holders] : holders;
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
    // Only a multikey index can list a document twice.
    const seen = this.multikey ? new Set<string>() : undefined;
    const fresh = (id: string) => {
      if (!seen) return true;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    };
    const toTuple = (key: unknown): Tuple => (this.single ? [key] : (key as Tuple));
    if (!reverse) {
      const end = this.tree.end();
      for (let it = this.tree.lowerBound(this.treeKey(startKey)); !it.equals(end); it.next()) {
        const [key, holders] = it.pointer;
        const where = inside(toTuple(key));
        if (where === 'after') return;
        if (where === 'before') continue;
        for (const id of typeof holders === 'string' ? [holders] : holders) if (fresh(id)) yield id;
      }
    } else {
      // reverseLowerBound gives a forward iterator (the last key <= endKey); walk it with pre().
      const it = this.tree.reverseLowerBound(this.treeKey(endKey));
      if (it.equals(this.tree.end())) return;
      const begin = this.tree.begin();
      for (;;) {
        const [key, holders] = it.pointer;
        const where = inside(toTuple(key));
        if (where === 'before') return;
        if (where === 'in')
          for (const id of typeof holders === 'string' ? [holders] : holders)
            if (fresh(id)) yield id;
        if (it.equals(begin)) return;
        it.pre();
      }
    }
  }
}

function tupleKey(values: unknown[]): string {
  return values.length === 1 ? keyOf(values[0]) : values.map(keyOf).join('\u0000');
}
