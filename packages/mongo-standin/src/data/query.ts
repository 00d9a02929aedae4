import { Context } from 'mingo';
import { Lazy, type Iterator as LazyIterator } from 'mingo/lazy';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query } from 'mingo/query';
import { arithmetic, asDouble } from './arithmetic.js';
import { bsonTypeOf, type Document, isNumeric, toNumber } from './bson-values.js';
import { compareValues, typeRank } from './compare.js';
import { fromMingo, MongoCommandError } from './errors.js';
import { linearRegex, regexMatches } from './linear-regex.js';
import { candidateValues, isPlainObject } from './paths.js';
import { regexExpressions } from './regex-expressions.js';
import { sortDocuments } from './sort.js';

/**
 * Query matching uses mingo for the query language (logical operators, $elemMatch, $exists,
 * $regex, $expr, ...) but replaces the comparison operators: mingo compares JS values of the
 * same `typeof`, which is wrong for Int64/Decimal128/Double wrappers and for MongoDB's rules on
 * null/missing. These versions use compareValues (BSON order, numbers by value).
 */
type Predicate = (doc: unknown) => boolean;

function equalsOne(candidate: unknown, expected: unknown): boolean {
  if (expected instanceof RegExp) return regexMatches(expected, '', candidate);
  if (expected === null) return candidate === null || candidate === undefined;
  if (candidate === undefined) return false;
  return typeRank(candidate) === typeRank(expected) && compareValues(candidate, expected) === 0;
}

function eq(path: string, expected: unknown): Predicate {
  return (doc) => candidateValues(doc, path).some((c) => equalsOne(c, expected));
}

function range(path: string, bound: unknown, accept: (cmp: number) => boolean): Predicate {
  // Range predicates only match values of the same type bracket (numbers with numbers, ...).
  const rank = typeRank(bound);
  return (doc) =>
    candidateValues(doc, path).some(
      (c) =>
        (c === undefined ? bound === null : typeRank(c) === rank) &&
        accept(compareValues(c, bound)),
    );
}

function inList(path: string, list: unknown): Predicate {
  if (!Array.isArray(list)) throw new MongoCommandError(2, '$in needs an array', 'BadValue');
  return (doc) => {
    const cands = candidateValues(doc, path);
    return list.some((expected) => cands.some((c) => equalsOne(c, expected)));
  };
}

const TYPE_ALIASES: Record<string, number> = {
  double: 1,
  string: 2,
  object: 3,
  array: 4,
  binData: 5,
  undefined: 6,
  objectId: 7,
  bool: 8,
  date: 9,
  null: 10,
  regex: 11,
  javascript: 13,
  int: 16,
  timestamp: 17,
  long: 18,
  decimal: 19,
  minKey: -1,
  maxKey: 127,
};

export function bsonTypeNumber(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 10;
  if (typeof value === 'number')
    return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 16 : 1;
  if (typeof value === 'string') return 2;
  if (typeof value === 'boolean') return 8;
  if (Array.isArray(value)) return 4;
  if (value instanceof Date) return 9;
  if (value instanceof RegExp) return 11;
  switch (bsonTypeOf(value)) {
    case 'Double':
      return 1;
    case 'Int32':
      return 16;
    case 'Long':
      return 18;
    case 'Decimal128':
      return 19;
    case 'ObjectId':
      return 7;
    case 'Binary':
      return 5;
    case 'Timestamp':
      return 17;
    case 'BSONRegExp':
      return 11;
    case 'MinKey':
      return -1;
    case 'MaxKey':
      return 127;
    case 'Code':
      return 13;
    case undefined:
      return 3;
    default:
      return undefined;
  }
}

function typeMatcher(spec: unknown): (value: unknown) => boolean {
  if (spec === 'number') return (v) => v !== undefined && isNumeric(v);
  const code = typeof spec === 'string' ? TYPE_ALIASES[spec] : Number(spec);
  if (code === undefined || Number.isNaN(code)) {
    throw new MongoCommandError(2, `Unknown type name alias: ${String(spec)}`, 'BadValue');
  }
  return (v) => bsonTypeNumber(v) === code;
}

function typeOp(path: string, spec: unknown): Predicate {
  const matchers = (Array.isArray(spec) ? spec : [spec]).map(typeMatcher);
  return (doc) => {
    const cands = candidateValues(doc, path);
    return cands.some((c) => matchers.some((m) => m(c)));
  };
}

const ops = {
  $eq: (p: string, v: unknown) => eq(p, v),
  $ne: (p: string, v: unknown) => {
    const m = eq(p, v);
    return (d: unknown) => !m(d);
  },
  $gt: (p: string, v: unknown) => range(p, v, (c) => c > 0),
  $gte: (p: string, v: unknown) => range(p, v, (c) => c >= 0),
  $lt: (p: string, v: unknown) => range(p, v, (c) => c < 0),
  $lte: (p: string, v: unknown) => range(p, v, (c) => c <= 0),
  $in: (p: string, v: unknown) => inList(p, v),
  $nin: (p: string, v: unknown) => {
    const m = inList(p, v);
    return (d: unknown) => !m(d);
  },
  $type: (p: string, v: unknown) => typeOp(p, v),
  // mingo has already folded `$options` into a RegExp; a bare `{$regex: 'str'}` stays a string.
  $regex: (p: string, v: unknown) => {
    if (!(v instanceof RegExp) && typeof v !== 'string') {
      throw new MongoCommandError(2, '$regex has to be a string', 'BadValue');
    }
    linearRegex(v instanceof RegExp ? v.source : v, v instanceof RegExp ? v.flags : '');
    return (doc: unknown) => candidateValues(doc, p).some((c) => regexMatches(v, '', c));
  },
};

/** $sort in pipelines (aggregate, pipeline updates) by BSON order, like find's sort. */
function bsonSort(coll: LazyIterator, spec: Document): LazyIterator {
  return coll.transform((docs) => Lazy(sortDocuments([...(docs as unknown as Document[])], spec)));
}

/**
 * $sum/$avg keep BSON numeric types (Int64 sums stay Int64, Decimal128 stays Decimal128);
 * mingo's add JS numbers only and would skip wrapped values.
 */
const numericAccumulators = {
  $sum: (coll: unknown[], expr: unknown, options: unknown) => {
    if (typeof expr === 'number') return coll.length * expr;
    let total: unknown = 0;
    for (const v of accumulatorOperators.$push(
      coll as never,
      expr,
      options as never,
    ) as unknown[]) {
      if (isNumeric(v)) total = arithmetic(total, v, 'add');
    }
    return total;
  },
  $avg: (coll: unknown[], expr: unknown, options: unknown) => {
    const values = (
      accumulatorOperators.$push(coll as never, expr, options as never) as unknown[]
    ).filter(isNumeric);
    if (values.length === 0) return null;
    const total = values.reduce((a: unknown, v) => arithmetic(a, v, 'add'), 0);
    return bsonTypeOf(total) === 'Decimal128' ? total : asDouble(toNumber(total) / values.length);
  },
};

/**
 * One context with all of mingo's operators and ours in place of its comparisons. Built here
 * rather than passed to mingo's top-level helpers, because those merge their default context
 * first and the first definition of an operator wins.
 */
const CONTEXT = Context.init({
  accumulator: {
    ...accumulatorOperators,
    ...(numericAccumulators as unknown as typeof accumulatorOperators),
  },
  // $regexMatch/$regexFind/$regexFindAll on RE2, in linear time (regex-expressions.ts).
  expression: {
    ...expressionOperators,
    ...(regexExpressions as unknown as Partial<typeof expressionOperators>),
  },
  pipeline: { ...pipelineOperators, $sort: bsonSort as unknown as typeof pipelineOperators.$sort },
  projection: projectionOperators,
  query: { ...queryOperators, ...(ops as unknown as typeof queryOperators) },
  window: windowOperators,
});

export interface Matcher {
  test(doc: Document): boolean;
}

const MATCH_ALL: Matcher = { test: () => true };

const SIMPLE_OPS: Record<string, (path: string, value: unknown) => Predicate> = {
  ...ops,
  $exists: (path, value) => {
    const wanted = !!value && !(typeof value === 'number' && value === 0);
    return (doc) => candidateValues(doc, path).some((v) => v !== undefined) === wanted;
  },
};

/**
 * Filters made only of per-field comparisons (the projector's and the API's) compile straight
 * to our predicates. Building a mingo Query copies mingo's whole operator table each time,
 * which dominated bulk upserts; anything richer still goes to mingo.
 */
function compileSimple(filter: Document): Matcher | undefined {
  const predicate = simplePredicate(filter);
  return predicate && { test: predicate };
}

/**
 * `$and`/`$or`/`$nor` of simple filters are simple too: every fenced read-model write is
 * `{$and: [{_id}, {$or: [{_fence: {$lte}}, {_fence: {$exists: false}}]}]}`, and compiling it
 * with mingo was a quarter of the stand-in's CPU under Tally's load. A malformed one (not a
 * non-empty array of objects) goes to mingo, which reports it.
 */
const LOGICAL: Record<string, (parts: Predicate[]) => Predicate> = {
  $and: (parts) => (doc) => parts.every((p) => p(doc)),
  $or: (parts) => (doc) => parts.some((p) => p(doc)),
  $nor: (parts) => (doc) => !parts.some((p) => p(doc)),
};

function logicalPredicate(operator: string, operands: unknown): Predicate | undefined {
  if (!Object.hasOwn(LOGICAL, operator)) return undefined;
  const combine = LOGICAL[operator]!;
  const parts: Predicate[] = [];
  for (const operand of checkedOperands(operator, operands)) {
    const part = simplePredicate(operand);
    if (!part) return undefined;
    parts.push(part);
  }
  return combine(parts);
}

/** The operands of `$and`/`$or`/`$nor`, refused with mongod's messages unless they are a non-empty array of objects. */
function checkedOperands(operator: string, operands: unknown): Document[] {
  if (!Array.isArray(operands)) {
    throw new MongoCommandError(2, `${operator} must be an array`, 'BadValue');
  }
  if (operands.length === 0) {
    throw new MongoCommandError(2, '$and/$or/$nor must be a nonempty array', 'BadValue');
  }
  for (const operand of operands) {
    if (!isPlainObject(operand)) {
      throw new MongoCommandError(2, '$or/$and/$nor entries need to be full objects', 'BadValue');
    }
  }
  return operands as Document[];
}

/** Checks every `$and`/`$or`/`$nor` of a filter, however it is then compiled (mingo accepts `[]`). */
function checkLogical(filter: Document): void {
  for (const [field, condition] of Object.entries(filter)) {
    // Own keys only: a field named "constructor" or "toString" is a field, not an operator.
    if (Object.hasOwn(LOGICAL, field)) {
      for (const operand of checkedOperands(field, condition)) checkLogical(operand);
    }
  }
}

function simplePredicate(filter: Document): Predicate | undefined {
  const predicates: Predicate[] = [];
  for (const [field, condition] of Object.entries(filter)) {
    if (field.startsWith('$')) {
      const logical = logicalPredicate(field, condition);
      if (!logical) return undefined;
      predicates.push(logical);
      continue;
    }
    if (condition instanceof RegExp) return undefined;
    const keys = isPlainObject(condition) ? Object.keys(condition) : [];
    if (keys.length > 0 && keys[0]!.startsWith('$')) {
      for (const op of keys) {
        const make = SIMPLE_OPS[op];
        if (!make) return undefined;
        const value = (condition as Document)[op];
        if (value instanceof RegExp || (op !== '$in' && op !== '$nin' && Array.isArray(value)))
          return undefined;
        if (
          (op === '$in' || op === '$nin') &&
          (!Array.isArray(value) || value.some((v) => v instanceof RegExp))
        )
          return undefined;
        predicates.push(make(field, value));
      }
    } else predicates.push(eq(field, condition));
  }
  return (doc) => predicates.every((p) => p(doc));
}

/** Compiles a filter; mingo's errors (unknown operator, bad shape) become BadValue (2). */
export function compileFilter(filter: Document | undefined): Matcher {
  if (!filter || Object.keys(filter).length === 0) return MATCH_ALL;
  checkLogical(filter);
  const simple = compileSimple(filter);
  if (simple) return simple;
  try {
    return new Query(filter, { context: CONTEXT });
  } catch (error) {
    if (error instanceof MongoCommandError) throw error;
    throw fromMingo(error);
  }
}

export function mingoOptions() {
  return { context: CONTEXT };
}
