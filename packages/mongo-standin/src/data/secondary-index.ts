import { MaxKey, MinKey } from 'bson';
import sortedBTree from 'sorted-btree';
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

// A CommonJS module marked __esModule: Node's ESM loader gives `module.exports` as its default
// import, vitest's loader gives `exports.default`.
const BTree: typeof sortedBTree.default =
  typeof sortedBTree === 'function' ? sortedBTree : sortedBTree.default;
type Tree = import('sorted-btree').default<unknown, Holders>;

const MIN = new MinKey();
const MAX = new MaxKey();

/**
 * One index: a B+ tree (sorted-btree) over the key tuples in index order, so equality, ranges
 * and sorts cost O(log n + results) instead of a collection scan. Its leaves keep keys and ids
 * in plain arrays: about 90 bytes per entry of a two-field index, where a red-black tree beside
 * a hash map of canonical key strings took about 370 (docs/benchmarks.md, sixth session).
 * Keys equal under `compareValues` are one entry, as under MongoDB's index key comparison.
 * Multikey: a document with an array in an indexed field gets one entry per element.
 */
export class SecondaryIndex {
  readonly fields: string[];
  readonly directions: number[];
  /** True once some document put an array in an indexed field; such an index cannot give sort order. */
  multikey = false;
  /**
   * Keyed by the value itself for a single-field index, by the tuple for a compound one. A key
   * holds one id as a plain string (the common, unique case) or a Set when several share it.
   */
  private readonly tree: Tree;
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
      ? new BTree<unknown, Holders>(undefined, (a, b) => compareValues(a, b) * dir)
      : new BTree<unknown, Holders>(undefined, (a, b) =>
          this.compareTuples(a as Tuple, b as Tuple),
        );
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
      // concat allocates exactly the tuple's length; a spread leaves room for 17 values, and
      // the index keeps every tuple (about 120 bytes wasted per entry of a two-field index).
      tuples = tuples.flatMap((prefix) =>
        values.map((v) => prefix.concat([v === undefined ? null : v])),
      );
    }
    if (tuples.length === 1) return tuples;
    const unique = new Map<string, Tuple>();
    for (const t of tuples) unique.set(tupleKey(t), t);
    return [...unique.values()];
  }

  /** Throws E11000 when adding `doc` (id `id`) would duplicate a unique key. */
  checkUnique(id: string, doc: Document): void {
    if (!this.spec.unique) return;
    for (const tuple of this.tuplesOf(doc)) {
      const holders = this.tree.get(this.treeKey(tuple));
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
      const key = this.treeKey(tuple);
      const holders = this.tree.get(key);
      if (holders === undefined) this.tree.set(key, id);
      else if (typeof holders === 'string') {
        if (holders !== id) this.tree.set(key, new Set([holders, id]));
      } else holders.add(id);
    }
  }

  remove(id: string, doc: Document): void {
    for (const tuple of this.tuplesOf(doc)) {
      const key = this.treeKey(tuple);
      const holders = this.tree.get(key);
      if (holders === undefined) continue;
      if (typeof holders !== 'string') {
        holders.delete(id);
        if (holders.size > 1) continue;
        const [remaining] = holders;
        if (remaining !== undefined) {
          this.tree.set(key, remaining);
          continue;
        }
      } else if (holders !== id) continue;
      this.tree.delete(key);
    }
  }

  private treeKey(tuple: Tuple): unknown {
    return this.single ? tuple[0] : tuple;
  }

  /** Ids whose indexed fields equal `values` (one value per indexed field, in order). */
  lookup(values: unknown[]): Iterable<string> | undefined {
    const holders = this.tree.get(this.treeKey(values));
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
    const entries = reverse
      ? // The last key at or before endKey, then backwards.
        this.tree.entriesReversed(this.treeKey(endKey))
      : // The first key at or after startKey, then forwards.
        this.tree.entries(this.treeKey(startKey));
    const outside = reverse ? 'before' : 'after';
    for (const [key, holders] of entries) {
      const where = inside(toTuple(key));
      if (where === outside) return;
      if (where !== 'in') continue;
      for (const id of typeof holders === 'string' ? [holders] : holders) if (fresh(id)) yield id;
    }
  }
}

function tupleKey(values: unknown[]): string {
  return values.length === 1 ? keyOf(values[0]) : values.map(keyOf).join('\u0000');
}
