import { calculateObjectSize, Long, type Timestamp } from 'bson';
import { ProcessingMode } from 'mingo';
import { Aggregator } from 'mingo/aggregator';
import type { Document } from '../data/bson-values.js';
import { badValue, fromMingo, MongoCommandError } from '../data/errors.js';
import { keyOf } from '../data/index-key.js';
import { candidateValues, isPlainObject } from '../data/paths.js';
import { mingoOptions } from '../data/query.js';
import { projectDocuments, sortDocuments } from '../data/sort-project.js';
import type { QueryStats } from '../storage/collection.js';
import { viewNotCollection, viewsOf } from '../storage/view-catalog.js';
import { MAX_BSON_OBJECT_BYTES } from '../wire/opcodes.js';
import { changeStreamGetMore, openChangeStream } from './change-stream.js';
import {
  type CommandHandler,
  type CommandRequest,
  collectionName,
  type ServerState,
} from './context.js';
import type { QueryCursor } from './cursors.js';
import { failGetMoreAfterCheckout } from './fail-points.js';
import { readTime } from './read-concern.js';
import { listLocalSessions } from './sessions.js';

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
  const atClusterTime = readTime(state, body);
  const skip = asCount(body.skip, 'skip');
  if (skip < 0) throw badValue('skip value must be non-negative');
  const limitArg = asCount(body.limit, 'limit');
  if (limitArg < 0) throw badValue('limit value must be non-negative');
  const limit = Math.abs(limitArg);
  const sort = filterArg(body.sort, 'sort');
  const projection = filterArg(body.projection, 'projection');
  let results: Document[];
  if (viewsOf(state.store).get(db, name)) {
    // mongod runs a find on a view as an aggregation over the view's pipeline.
    const stages = findAsStages(filter, sort, skip, limit, projection);
    results = aggregateDocuments(state, db, name, stages);
  } else {
    const coll = state.store.get(db, name);
    results = [];
    if (coll) {
      results =
        sort && '$natural' in sort
          ? sortDocuments([...coll.find(filter)], sort)
          : coll.query(filter, sort, limit ? skip + limit : undefined);
    }
    results = results.slice(skip, limit ? skip + limit : undefined);
    const positional = projection && Object.keys(projection).some((k) => k.endsWith('.$'));
    results = projectDocuments(results, projection, positional ? filter : undefined);
  }
  const batchSize = optionalCount(body.batchSize, 'batchSize');
  const singleBatch =
    body.singleBatch === true ||
    (limit > 0 && results.length <= (batchSize ?? DEFAULT_FIRST_BATCH));
  return withReadTime(
    firstBatch(state, `${db}.${name}`, results, batchSize, singleBatch),
    atClusterTime,
  );
};

/** A find's clauses as the aggregation stages mongod runs on a view. */
function findAsStages(
  filter: Document | undefined,
  sort: Document | undefined,
  skip: number,
  limit: number,
  projection: Document | undefined,
): Document[] {
  const stages: Document[] = [];
  if (filter && Object.keys(filter).length > 0) stages.push({ $match: filter });
  if (sort && Object.keys(sort).length > 0) stages.push({ $sort: sort });
  if (skip) stages.push({ $skip: skip });
  if (limit) stages.push({ $limit: limit });
  if (projection && Object.keys(projection).length > 0) stages.push({ $project: projection });
  return stages;
}

/** A snapshot read reports its time in the cursor, where the driver takes it for the session. */
function withReadTime(reply: Document, atClusterTime: Timestamp | undefined): Document {
  if (atClusterTime) (reply.cursor as Document).atClusterTime = atClusterTime;
  return reply;
}

export const getMore: CommandHandler = async (state, request) => {
  const { body, db } = request;
  const ns = `${db}.${String(body.collection)}`;
  const cursor = state.cursors.get(body.getMore, ns);
  failGetMoreAfterCheckout(state, request, cursor);
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
  const name = collectionName(request);
  const query = filterArg(body.query, 'query');
  readTime(state, body);
  const skip = asCount(body.skip, 'skip');
  const limit = Math.abs(asCount(body.limit, 'limit'));
  let n = 0;
  if (viewsOf(state.store).get(db, name)) {
    // On a view, count is an aggregation ending in $count, as in mongod.
    const stages: Document[] = [];
    if (query && Object.keys(query).length > 0) stages.push({ $match: query });
    if (skip) stages.push({ $skip: skip });
    if (limit) stages.push({ $limit: limit });
    stages.push({ $count: 'n' });
    const [counted] = aggregateDocuments(state, db, name, stages);
    return { n: counted?.n ?? 0, ok: 1 };
  }
  const coll = state.store.get(db, name);
  if (coll) {
    if (!query || Object.keys(query).length === 0) n = coll.docs.size;
    else for (const _ of coll.find(query)) n++;
  }
  n = Math.max(0, n - skip);
  if (limit) n = Math.min(n, limit);
  return { n, ok: 1 };
};

export const distinct: CommandHandler = (state, request) => {
  const { body, db } = request;
  if (typeof body.key !== 'string') throw badValue('key must be a string');
  const name = collectionName(request);
  const query = filterArg(body.query, 'query');
  const atClusterTime = readTime(state, body);
  let docs: Iterable<Document> = [];
  if (viewsOf(state.store).get(db, name)) {
    docs = aggregateDocuments(state, db, name, query ? [{ $match: query }] : []);
  } else {
    const coll = state.store.get(db, name);
    if (coll) docs = coll.find(query);
  }
  const seen = new Map<string, unknown>();
  for (const doc of docs) {
    for (const value of candidateValues(doc, body.key)) {
      if (value === undefined || Array.isArray(value)) continue;
      const k = keyOf(value);
      if (!seen.has(k)) seen.set(k, value);
    }
  }
  return { values: [...seen.values()], ...(atClusterTime ? { atClusterTime } : {}), ok: 1 };
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
  const collName = typeof body.aggregate === 'string' ? body.aggregate : undefined;
  const first = pipeline[0] as Document | undefined;
  if (first && '$changeStream' in first) {
    if (collName !== undefined && viewsOf(state.store).get(db, collName))
      throw viewNotCollection(db, collName);
    return openChangeStream(state, request, pipeline as Document[]);
  }
  const atClusterTime = readTime(state, body);
  const ns = `${db}.${collName ?? '$cmd.aggregate'}`;
  const results = aggregateDocuments(state, db, collName, pipeline as Document[]);
  const batchSize = optionalCount((body.cursor as Document | undefined)?.batchSize, 'batchSize');
  return withReadTime(firstBatch(state, ns, results, batchSize, false), atClusterTime);
};

/**
 * Stages that must come first (mongod's 40602): they read no input, or, for `$changeStream`,
 * turn the aggregate into a change stream (a later one is refused as in a change-stream pipeline).
 */
const FIRST_ONLY_STAGES = new Set(['$listLocalSessions', '$collStats', '$changeStream']);

/**
 * Runs a pipeline over a collection, a view (its pipeline first, over its source) or, with no
 * collection (`aggregate: 1`), over nothing but a leading `$listLocalSessions`.
 */
export function aggregateDocuments(
  state: ServerState,
  db: string,
  source: string | undefined,
  pipeline: Document[],
): Document[] {
  pipeline.forEach((stage, index) => {
    const stageName = Object.keys(stage)[0] ?? '';
    if (index > 0 && FIRST_ONLY_STAGES.has(stageName)) {
      throw new MongoCommandError(
        40602,
        `${stageName} is only valid as the first stage in a pipeline${stageName === '$changeStream' ? '.' : ''}`,
        'Location40602',
      );
    }
  });
  let stages = pipeline;
  let input: Document[] = [];
  const first = pipeline[0];
  if (first && '$listLocalSessions' in first) {
    if (source !== undefined) {
      throw new MongoCommandError(
        73,
        '$listLocalSessions must be run against the database with {aggregate: 1}, not a collection',
        'InvalidNamespace',
      );
    }
    input = listLocalSessions(state, first.$listLocalSessions);
    stages = stages.slice(1);
  } else if (source !== undefined && first && '$collStats' in first) {
    input = [collStatsDocument(state, db, source)];
    stages = stages.slice(1);
  } else if (source !== undefined) {
    const view = viewsOf(state.store).resolve(db, source);
    if (view) stages = [...view.pipeline, ...stages];
    const coll = state.store.get(db, view?.source ?? source);
    const leading = stages[0];
    if (coll) {
      // A leading $match goes through the collection so it can use an index.
      const leadingMatch =
        leading && '$match' in leading ? (leading.$match as Document) : undefined;
      input = [...coll.find(leadingMatch)];
      if (leadingMatch) stages = stages.slice(1);
    }
  }
  return runStages(state, db, stages, input);
}

function runStages(
  state: ServerState,
  db: string,
  stages: Document[],
  input: Document[],
): Document[] {
  const mutating = stages.some((s) => !NON_MUTATING_STAGES.has(Object.keys(s)[0] ?? ''));
  try {
    return new Aggregator(stages, {
      ...mingoOptions(),
      processingMode: mutating ? ProcessingMode.CLONE_INPUT : ProcessingMode.CLONE_OFF,
      // $lookup/$graphLookup/$unionWith read other collections (or views) of the same database.
      collectionResolver: (name: string) =>
        viewsOf(state.store).get(db, name)
          ? aggregateDocuments(state, db, name, [])
          : [...(state.store.get(db, name)?.docs.values() ?? [])],
    }).run(input) as Document[];
  } catch (error) {
    if (error instanceof MongoCommandError) throw error;
    throw fromMingo(error);
  }
}

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
 * `explain` of a find: reports the access path (IDHACK, IXSCAN with the index name, or
 * COLLSCAN) and the documents examined, in mongod's field names. On a view, as mongod, the find
 * runs as an aggregation over the view's pipeline, so the plan is the scan of the collection
 * the view reads in the end (its namespace in `queryPlanner.namespace`), using the view's
 * leading `$match`, and `nReturned` counts what the find on the view returns.
 */
export const explain: CommandHandler = (state, request) => {
  const inner = request.body.explain;
  if (!isPlainObject(inner) || typeof inner.find !== 'string') {
    throw new MongoCommandError(2, 'explain is supported for find only', 'BadValue');
  }
  const db = request.db;
  const filter = filterArg(inner.filter, 'filter');
  const sort = filterArg(inner.sort, 'sort');
  const skip = asCount(inner.skip, 'skip');
  const limit = Math.abs(asCount(inner.limit, 'limit'));
  const stats: QueryStats = { stage: 'COLLSCAN', examined: 0 };
  const view = viewsOf(state.store).resolve(db, inner.find);
  let namespace = `${db}.${inner.find}`;
  let nReturned: number;
  if (view) {
    namespace = `${db}.${view.source}`;
    const leading = view.pipeline[0];
    const leadingMatch = leading && '$match' in leading ? (leading.$match as Document) : undefined;
    state.store.get(db, view.source)?.query(leadingMatch, undefined, undefined, stats);
    const stages = findAsStages(
      filter,
      sort,
      skip,
      limit,
      filterArg(inner.projection, 'projection'),
    );
    nReturned = aggregateDocuments(state, db, inner.find, stages).length;
  } else {
    const coll = state.store.get(db, inner.find);
    nReturned = coll ? coll.query(filter, sort, limit ? limit + skip : undefined, stats).length : 0;
  }
  const inputStage =
    stats.stage === 'IXSCAN'
      ? { stage: 'IXSCAN', indexName: stats.indexName }
      : { stage: stats.stage };
  return {
    queryPlanner: {
      namespace,
      winningPlan: stats.stage === 'IXSCAN' ? { stage: 'FETCH', inputStage } : inputStage,
      rejectedPlans: [],
    },
    executionStats: {
      nReturned,
      totalDocsExamined: stats.examined,
      totalKeysExamined: stats.stage === 'COLLSCAN' ? 0 : stats.examined,
      executionStages: inputStage,
    },
    ok: 1,
  };
};
