import type { Document } from '../data/bson-values.js';
import { isPlainObject } from '../data/paths.js';
import type { Bound, SecondaryIndex } from '../data/secondary-index.js';

/**
 * Picks how to read a collection for a filter (and an optional sort): the cheapest index that
 * serves an equality prefix, then a range on the next field, and if possible the sort order too.
 * Index selection is a small scoring rule, not mongod's trial runs: equality fields count most,
 * then a range, then giving the sort order.
 */
export interface IndexPlan {
  index: SecondaryIndex;
  prefix: unknown[];
  lo?: Bound;
  hi?: Bound;
  /** The scan yields documents already in the requested sort order. */
  sorted: boolean;
  reverse: boolean;
}

/** The values an equality predicate (`v`, `{$eq: v}`, `{$in: [...]}`) allows, if it is one. */
export function equalityValues(predicate: unknown): unknown[] | undefined {
  if (predicate === undefined || predicate === null) return undefined;
  if (predicate instanceof RegExp || Array.isArray(predicate)) return undefined;
  if (!isPlainObject(predicate)) return [predicate];
  const keys = Object.keys(predicate);
  if (keys.length !== 1 || !keys[0]!.startsWith('$')) return undefined; // embedded-document equality: scan
  const simple = (v: unknown) =>
    v !== null &&
    v !== undefined &&
    !isPlainObject(v) &&
    !Array.isArray(v) &&
    !(v instanceof RegExp);
  if (keys[0] === '$eq' && simple(predicate.$eq)) return [predicate.$eq];
  const list = predicate.$in;
  if (keys[0] === '$in' && Array.isArray(list) && list.every(simple)) return list;
  return undefined;
}

function rangeBounds(predicate: unknown): { lo?: Bound; hi?: Bound } | undefined {
  if (!isPlainObject(predicate)) return undefined;
  const keys = Object.keys(predicate);
  if (
    keys.length === 0 ||
    !keys.every((k) => k === '$gt' || k === '$gte' || k === '$lt' || k === '$lte')
  )
    return undefined;
  const out: { lo?: Bound; hi?: Bound } = {};
  for (const k of keys) {
    const value = predicate[k];
    if (
      value === null ||
      value === undefined ||
      isPlainObject(value) ||
      Array.isArray(value) ||
      value instanceof RegExp
    )
      return undefined;
    if (k === '$gt' || k === '$gte') out.lo = { value, inclusive: k === '$gte' };
    else out.hi = { value, inclusive: k === '$lte' };
  }
  return out;
}

function sortDirections(sort: Document | undefined): Array<[string, number]> {
  if (!sort) return [];
  return Object.entries(sort).map(([k, v]) => [k, Number(String(v)) < 0 ? -1 : 1]);
}

export function planIndex(
  indexes: Iterable<SecondaryIndex>,
  filter: Document,
  sort: Document | undefined,
): IndexPlan | undefined {
  const wanted = sortDirections(sort);
  let best: { plan: IndexPlan; score: number } | undefined;
  for (const index of indexes) {
    if (!index.complete) continue;
    const prefix: unknown[] = [];
    for (const field of index.fields) {
      const values = equalityValues(filter[field]);
      if (values?.length !== 1) break;
      prefix.push(values[0]);
    }
    const next = index.fields[prefix.length];
    const range = next !== undefined ? rangeBounds(filter[next]) : undefined;
    // On an array field, {$gt: 5, $lt: 8} matches [1, 10] (each bound by a different element),
    // so a multikey index may only apply one of the bounds; the filter checks the rest.
    if (range?.lo && range.hi && index.multikey) delete range.hi;
    // Sort order is given when the sort keys are the index fields right after the prefix,
    // all in the index's directions or all reversed.
    let sorted = wanted.length === 0;
    let reverse = false;
    if (
      wanted.length > 0 &&
      !index.multikey &&
      prefix.length + wanted.length <= index.fields.length
    ) {
      const signs = wanted.map(([field, dir], i) =>
        index.fields[prefix.length + i] === field ? dir * index.directions[prefix.length + i]! : 0,
      );
      if (signs.every((s) => s === 1)) sorted = true;
      else if (signs.every((s) => s === -1)) sorted = reverse = true;
    }
    const score = prefix.length * 4 + (range ? 2 : 0) + (sorted && wanted.length > 0 ? 1 : 0);
    if (score === 0) continue;
    if (!best || score > best.score) {
      best = { plan: { index, prefix, ...range, sorted, reverse }, score };
    }
  }
  return best?.plan;
}

/**
 * The filter as the planner reads it: the clauses of a top-level `$and` (nested too) lifted to
 * the top, as mongod's canonical query flattens them, so `{$and: [{_id: 7}, {fence: …}]}` is
 * an _id lookup and not a collection scan. When two clauses constrain one field, the first is
 * planned on; the full filter still tests every candidate, so the result is exact either way.
 */
export function planningFilter(filter: Document): Document {
  const clauses = filter.$and;
  if (!Array.isArray(clauses)) return filter;
  const flat: Document = {};
  const lift = (from: Document) => {
    for (const [key, value] of Object.entries(from)) {
      if (key === '$and' && Array.isArray(value)) {
        for (const clause of value) if (isPlainObject(clause)) lift(clause);
      } else if (!(key in flat)) flat[key] = value;
    }
  };
  lift(filter);
  return flat;
}
