import { calculateObjectSize, Long } from 'bson';
import { ProcessingMode } from 'mingo';
import { Aggregator } from 'mingo/aggregator';
import type { Document } from '../data/bson-values.js';
import { badValue, fromMingo, MongoCommandError } from '../data/errors.js';
import { keyOf } from '../data/index-key.js';
import { candidateValues, isPlainObject } from '../data/paths.js';
import { mingoOptions } from '../data/query.js';
import { projectDocuments, sortDocuments } from '../data/sort-project.js';
import type { QueryStats } from '../storage/collection.js';
import { MAX_BSON_OBJECT_BYTES } from '../wire/opcodes.js';
import { changeStreamGetMore, openChangeStream } from './change-stream.js';
import {
  type CommandHandler,
  type CommandRequest,
  collectionName,
  type ServerState,
} from './context.js';
import type { QueryCursor } from './cursors.js';

const DEFAULT_FIRST_BATCH = 101;

function asCount(value: unknown, name: string): number {
  if (value === undefined || value === null) return 0;
  const n =
    typeof value === 'number' ? value : Number((value as { toString(): string }).toString());
  if (!Number.isFinite(n)) throw badValue(`${name} must be a number`);
  return n;
}

export function optionalCount(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = asCount(value, name);
  if (n < 0) throw badValue(`${name} must be non-negative`);
  return n;
}

function filterArg(value: unknown, name: string): Document | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw new MongoCommandError(
      14,
      `BSON field '${name}' is the wrong type '${typeof value}', expected type 'object'`,
      'TypeMismatch',
    );
  }
  return value;
}

/** Where a batch starting at `start` ends: `count` documents, or fewer to stay under 16 MB. */
function batchEnd(docs: Document[], start: number, count: number): number {
  const last = Math.min(docs.length, start + count);
  let bytes = 0;
  for (let i = start; i < last; i++) {
    bytes += calculateObjectSize(docs[i]!, { ignoreUndefined: true });
    if (bytes > MAX_BSON_OBJECT_BYTES && i > start) return i;
  }
  return last;
}

/** Answers the first batch and keeps a cursor for the rest, as mongod's find/aggregate do. */
export function firstBatch(
  state: ServerState,
  ns: string,
  results: Document[],
  /** Absent: mongod's default of 101; 0: an empty first batch (the cursor still opens). */
  batchSize: number | undefined,
  singleBatch: boolean,
): Document {
  const end = batchEnd(results, 0, batchSize ?? DEFAULT_FIRST_BATCH);
  const batch = results.slice(0, end);
  let id = Long.ZERO;
  if (!singleBatch && results.length > end) {
    const cursor: QueryCursor = { kind: 'query', ns, pending: results, position: end };
    id = state.cursors.open(cursor);
  }
  return { cursor: { firstBatch: batch, id, ns }, ok: 1 };
}

export const find: CommandHandler = (state, request) => {
  const { body, db } = request;
  const name = collectionName(request);
  const filter = filterArg(body.filter, 'filter');
  const coll = state.store.get(db, name);
  const skip = asCount(body.skip, 'skip');
  if (skip < 0) throw badValue('skip value must be non-negative');
  const limitArg = asCount(body.limit, 'limit');
  if (limitArg < 0) throw badValue('limit value must be non-negative');
  const limit = Math.abs(limitArg);
  const sort = filterArg(body.sort, 'sort');
  let results: Document[] = [];
  if (coll) {
    results =
      sort && '$natural' in sort
        ? sortDocuments([...coll.find(filter)], sort)
        : coll.query(filter, sort, limit ? skip + limit : undefined);
  }
  results = results.slice(skip, limit ? skip + limit : undefined);
  const projection = filterArg(body.projection, 'projection');
  const positional = projection && Object.keys(projection).some((k) => k.endsWith('.$'));
  results = projectDocuments(results, projection, positional ? filter : undefined);
  const batchSize = optionalCount(body.batchSize, 'batchSize');
  const singleBatch =
    body.singleBatch === true ||
    (limit > 0 && results.length <= (batchSize ?? DEFAULT_FIRST_BATCH));
  return firstBatch(state, `${db}.${name}`, results, batchSize, singleBatch);
};

export const getMore: CommandHandler = async (state, request) => {
  const { body, db } = request;
  const ns = `${db}.${String(body.collection)}`;
  const cursor = state.cursors.get(body.getMore, ns);
  if (cursor.kind === 'changeStream') return changeStreamGetMore(state, request, cursor);
  const size = asCount(body.batchSize, 'batchSize') || Number.POSITIVE_INFINITY;
  const end = batchEnd(cursor.pending, cursor.position, size);
  const nextBatch = cursor.pending.slice(cursor.position, end);
  cursor.position = end;
  let id = body.getMore as Long;
  if (end >= cursor.pending.length) {
    state.cursors.close(id);
    id = Long.ZERO;
  }
  return { cursor: { nextBatch, id, ns }, ok: 1 };
};

export const killCursors: CommandHandler = (state, request) => {
  const ids = request.body.cursors;
  if (!Array.isArray(ids)) throw badValue('cursors must be an array');
  const cursorsKilled: unknown[] = [];
  const cursorsNotFound: unknown[] = [];
  for (const id of ids) (state.cursors.close(id) ? cursorsKilled : cursorsNotFound).push(id);
  return { cursorsKilled, cursorsNotFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

export const count: CommandHandler = (state, request) => {
  const { body, db } = request;
  const coll = state.store.get(db, collectionName(request));
  const query = filterArg(body.query, 'query');
  let n = 0;
  if (coll) {
    if (!query || Object.keys(query).length === 0) n = coll.docs.size;
    else for (const _ of coll.find(query)) n++;
  }
  const skip = asCount(body.skip, 'skip');
  const limit = Math.abs(asCount(body.limit, 'limit'));
  n = Math.max(0, n - skip);
  if (limit) n = Math.min(n, limit);
  return { n, ok: 1 };
};

export const distinct: CommandHandler = (state, request) => {
  const { body, db } = request;
  if (typeof body.key !== 'string') throw badValue('key must be a string');
  const coll = state.store.get(db, collectionName(request));
  const seen = new Map<string, unknown>();
  for (const doc of coll ? coll.find(filterArg(body.query, 'query')) : []) {
    for (const value of candidateValues(doc, body.key)) {
      if (value === undefined || Array.isArray(value)) continue;
      const k = keyOf(value);
      if (!seen.has(k)) seen.set(k, value);
    }
  }
  return { values: [...seen.values()], ok: 1 };
};

const NON_MUTATING_STAGES = new Set([
  '$match',
  '$sort',
  '$skip',
  '$limit',
  '$count',
  '$group',
  '$project',
]);

export const aggregate: CommandHandler = (state, request) => {
  const { body, db } = request;
  const pipeline = body.pipeline;
  if (!Array.isArray(pipeline)) {
    throw new MongoCommandError(
      14,
      "'pipeline' option must be specified as an array",
      'TypeMismatch',
    );
  }
  if (!isPlainObject(body.cursor) && body.explain !== true) {
    throw new MongoCommandError(
      9,
      "The 'cursor' option is required, except for aggregate with the explain argument",
      'FailedToParse',
    );
  }
  const first = pipeline[0] as Document | undefined;
  if (first && '$changeStream' in first)
    return openChangeStream(state, request, pipeline as Document[]);
  const collName = body.aggregate;
  const ns = `${db}.${typeof collName === 'string' ? collName : '$cmd.aggregate'}`;
  let stages = pipeline as Document[];
  let input: Document[] = [];
  if (typeof collName === 'string') {
    const coll = state.store.get(db, collName);
    if (first && '$collStats' in first) {
      input = [collStatsDocument(state, db, collName)];
      stages = stages.slice(1);
    } else if (coll) {
      // A leading $match goes through the collection so it can use an index.
      const leadingMatch = first && '$match' in first ? (first.$match as Document) : undefined;
      input = [...coll.find(leadingMatch)];
      if (leadingMatch) stages = stages.slice(1);
    }
  }
  const mutating = stages.some((s) => !NON_MUTATING_STAGES.has(Object.keys(s)[0] ?? ''));
  let results: Document[];
  try {
    results = new Aggregator(stages, {
      ...mingoOptions(),
      processingMode: mutating ? ProcessingMode.CLONE_INPUT : ProcessingMode.CLONE_OFF,
      // $lookup/$graphLookup/$unionWith read other collections of the same database.
      collectionResolver: (name: string) => [...(state.store.get(db, name)?.docs.values() ?? [])],
    }).run(input) as Document[];
  } catch (error) {
    if (error instanceof MongoCommandError) throw error;
    throw fromMingo(error);
  }
  const batchSize = optionalCount((body.cursor as Document | undefined)?.batchSize, 'batchSize');
  return firstBatch(state, ns, results, batchSize, false);
};

export function collStatsDocument(state: ServerState, db: string, name: string): Document {
  const coll = state.store.get(db, name);
  const count = coll?.docs.size ?? 0;
  return {
    ns: `${db}.${name}`,
    host: state.me,
    localTime: new Date(),
    storageStats: { count, size: 0, nindexes: coll ? coll.indexes.size + 1 : 0 },
    count,
  };
}

export type { CommandRequest };

/**
 * `explain` for find/count/distinct/aggregate-less reads: reports the access path (IDHACK,
 * IXSCAN with the index name, or COLLSCAN) and the documents examined, in mongod's field names.
 */
export const explain: CommandHandler = (state, request) => {
  const inner = request.body.explain;
  if (!isPlainObject(inner) || typeof inner.find !== 'string') {
    throw new MongoCommandError(2, 'explain is supported for find only', 'BadValue');
  }
  const coll = state.store.get(request.db, inner.find);
  const filter = filterArg(inner.filter, 'filter');
  const stats: QueryStats = { stage: 'COLLSCAN', examined: 0 };
  const limit = Math.abs(asCount(inner.limit, 'limit'));
  const results = coll
    ? coll.query(
        filter,
        filterArg(inner.sort, 'sort'),
        limit ? limit + asCount(inner.skip, 'skip') : undefined,
        stats,
      )
    : [];
  const inputStage =
    stats.stage === 'IXSCAN'
      ? { stage: 'IXSCAN', indexName: stats.indexName }
      : { stage: stats.stage };
  return {
    queryPlanner: {
      namespace: `${request.db}.${inner.find}`,
      winningPlan: stats.stage === 'IXSCAN' ? { stage: 'FETCH', inputStage } : inputStage,
      rejectedPlans: [],
    },
    executionStats: {
      nReturned: results.length,
      totalDocsExamined: stats.examined,
      totalKeysExamined: stats.stage === 'COLLSCAN' ? 0 : stats.examined,
      executionStages: inputStage,
    },
    ok: 1,
  };
};
