import { calculateObjectSize, Long, type Timestamp } from 'bson';
import { Aggregator } from 'mingo/aggregator';
import { type EventOptions, resumeToken, toEvents } from '../changes/change-events.js';
import { type ChangeRecord, EXPANDED_ONLY } from '../changes/change-record.js';
import type { Document } from '../data/bson-values.js';
import {
  badValue,
  fieldWrongType,
  fromMingo,
  MongoCommandError,
  unknownField,
} from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';
import { mingoOptions } from '../data/query.js';
import { MAX_BSON_OBJECT_BYTES } from '../wire/opcodes.js';
import type { CommandRequest, ServerState } from './context.js';
import type { ChangeStreamCursor } from './cursors.js';

/**
 * `$changeStream` is hand-written (mingo has no such stage): events come from the ChangeLog,
 * are shaped like mongod's change events, then run through the rest of the user's pipeline
 * with mingo. Resume tokens are `{_data: hex}` holding the change's sequence number.
 */
const DEFAULT_AWAIT_MS = 1000;
const MAX_RECORDS_PER_BATCH = 1000;

/** Each open stream's event options (the cursor registry's record has no room for them). */
const STREAM_OPTIONS = new WeakMap<ChangeStreamCursor, EventOptions>();

function parseToken(token: unknown): { seq: number; invalidate: boolean } {
  const data = isPlainObject(token) ? token._data : undefined;
  if (typeof data !== 'string' || !/^82[0-9a-f]{16}0[01]$/i.test(data)) {
    throw new MongoCommandError(
      260,
      `Invalid resume token: ${JSON.stringify(token)}`,
      'InvalidResumeToken',
    );
  }
  return { seq: Number.parseInt(data.slice(2, 18), 16), invalidate: data.endsWith('01') };
}

export function openChangeStream(
  state: ServerState,
  request: CommandRequest,
  pipeline: Document[],
): Document {
  const spec = pipeline[0]!.$changeStream;
  if (!isPlainObject(spec)) {
    throw new MongoCommandError(
      50808,
      '$changeStream stage expects a document as argument',
      'Location50808',
    );
  }
  const options = parseSpec(spec);
  const stages = validatePipeline(pipeline.slice(1));
  const target = request.body.aggregate;
  const coll = typeof target === 'string' ? target : undefined;
  if (coll === undefined && target !== 1)
    throw badValue('aggregate must name a collection or be 1');
  const resume = spec.startAfter ?? spec.resumeAfter;
  if (spec.startAfter !== undefined && spec.resumeAfter !== undefined) {
    throw badValue('Only one type of resume option is allowed, but multiple were found.');
  }
  let afterSeq: number;
  if (resume !== undefined) {
    const token = parseToken(resume);
    if (token.invalidate && spec.resumeAfter !== undefined) {
      throw new MongoCommandError(
        260,
        "Attempting to resume a change stream using 'resumeAfter' is not allowed from an invalidate notification.",
        'InvalidResumeToken',
      );
    }
    afterSeq = token.seq;
    if (token.seq > state.changes.lastSeq) {
      throw new MongoCommandError(
        260,
        'cannot resume stream; the resume token was not found.',
        'InvalidResumeToken',
      );
    }
  } else if (spec.startAtOperationTime !== undefined) {
    afterSeq = state.changes.seqBefore(spec.startAtOperationTime as Timestamp);
  } else {
    afterSeq = state.changes.visibleSeq;
  }
  state.changes.since(afterSeq, 0); // throws ChangeStreamHistoryLost when resuming too far back
  const ns = `${request.db}.${coll ?? '$cmd.aggregate'}`;
  const cursor: ChangeStreamCursor = {
    kind: 'changeStream',
    ns,
    db: request.db,
    coll,
    afterSeq,
    fullDocument: options.fullDocument,
    pipeline: stages,
    invalidated: false,
    busy: false,
  };
  STREAM_OPTIONS.set(cursor, { ...options, collectionStream: coll !== undefined });
  const id = state.cursors.open(cursor);
  return { cursor: { firstBatch: [], postBatchResumeToken: resumeToken(afterSeq), id, ns }, ok: 1 };
}

/** Stages mongod 7.0 allows after `$changeStream`. */
const ALLOWED_STAGES = new Set([
  '$match',
  '$project',
  '$addFields',
  '$set',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
  '$redact',
  '$changeStreamSplitLargeEvent',
]);

/** mongod 7.0's other aggregation stages: known, so refused as not permitted, not unknown. */
const OTHER_STAGES = new Set([
  '$bucket',
  '$bucketAuto',
  '$collStats',
  '$count',
  '$currentOp',
  '$densify',
  '$documents',
  '$facet',
  '$fill',
  '$geoNear',
  '$graphLookup',
  '$group',
  '$indexStats',
  '$limit',
  '$listCatalog',
  '$listLocalSessions',
  '$listSampledQueries',
  '$listSearchIndexes',
  '$listSessions',
  '$lookup',
  '$merge',
  '$out',
  '$planCacheStats',
  '$sample',
  '$search',
  '$searchMeta',
  '$setWindowFields',
  '$shardedDataDistribution',
  '$skip',
  '$sort',
  '$sortByCount',
  '$unionWith',
  '$unwind',
  '$vectorSearch',
]);

/**
 * The stages after `$changeStream`, checked as mongod checks them when the aggregate is parsed:
 * an unknown stage is 40324, `$changeStream` again is 40602, a known stage that cannot follow
 * it is 20 IllegalOperation. `$changeStreamSplitLargeEvent` is accepted and dropped: the
 * stand-in never produces an event over 16 MiB to split.
 */
function validatePipeline(stages: Document[]): Document[] {
  for (const stage of stages) {
    const names = isPlainObject(stage) ? Object.keys(stage) : [];
    if (names.length !== 1) {
      throw new MongoCommandError(
        40323,
        'A pipeline stage specification object must contain exactly one field.',
        'Location40323',
      );
    }
    const name = names[0]!;
    if (name === '$changeStream') {
      throw new MongoCommandError(
        40602,
        '$changeStream is only valid as the first stage in a pipeline.',
        'Location40602',
      );
    }
    if (!ALLOWED_STAGES.has(name) && !OTHER_STAGES.has(name)) {
      throw new MongoCommandError(
        40324,
        `Unrecognized pipeline stage name: '${name}'`,
        'Location40324',
      );
    }
    if (!ALLOWED_STAGES.has(name)) {
      throw new MongoCommandError(
        20,
        `${name} is not permitted in a $changeStream pipeline`,
        'IllegalOperation',
      );
    }
  }
  return stages.filter((stage) => !('$changeStreamSplitLargeEvent' in stage));
}

const FULL_DOCUMENT = ['default', 'updateLookup', 'whenAvailable', 'required'] as const;
const FULL_DOCUMENT_BEFORE_CHANGE = ['off', 'whenAvailable', 'required'] as const;
/**
 * The `$changeStream` fields of mongod 7.0. Those EventOptions does not name change nothing here:
 * the stand-in has no system, migration or config events to show, and an admin stream already
 * sees every database.
 */
const SPEC_FIELDS = new Set([
  'resumeAfter',
  'startAfter',
  'startAtOperationTime',
  'fullDocument',
  'fullDocumentBeforeChange',
  'allChangesForCluster',
  'showMigrationEvents',
  'showSystemEvents',
  'allowToRunOnConfigDB',
  'allowToRunOnSystemNS',
  'showExpandedEvents',
]);

/** The event options of a `$changeStream` spec, with mongod's IDL errors for bad fields. */
function parseSpec(spec: Document): Omit<EventOptions, 'collectionStream'> {
  for (const field of Object.keys(spec)) {
    if (!SPEC_FIELDS.has(field)) {
      throw unknownField(`$changeStream.${field}`);
    }
  }
  const showExpandedEvents = spec.showExpandedEvents ?? false;
  if (typeof showExpandedEvents !== 'boolean')
    throw wrongType('showExpandedEvents', showExpandedEvents, 'bool');
  return {
    showExpandedEvents,
    fullDocument: enumField(spec, 'fullDocument', FULL_DOCUMENT, 'default'),
    fullDocumentBeforeChange: enumField(
      spec,
      'fullDocumentBeforeChange',
      FULL_DOCUMENT_BEFORE_CHANGE,
      'off',
    ),
  };
}

function enumField<T extends string>(
  spec: Document,
  field: string,
  values: readonly T[],
  fallback: T,
): T {
  const value = spec[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw wrongType(field, value, 'string');
  if (!values.includes(value as T)) {
    throw badValue(
      `Enumeration value '${value}' for field '$changeStream.${field}' is not a valid value.`,
    );
  }
  return value as T;
}

const wrongType = (field: string, value: unknown, expected: string) =>
  fieldWrongType(`$changeStream.${field}`, value, expected);

export async function changeStreamGetMore(
  state: ServerState,
  request: CommandRequest,
  cursor: ChangeStreamCursor,
): Promise<Document> {
  const cursorId = request.body.getMore as Long;
  const awaitMs =
    typeof request.body.maxTimeMS === 'number' ? request.body.maxTimeMS : DEFAULT_AWAIT_MS;
  const deadline = Date.now() + awaitMs;
  const limit =
    typeof request.body.batchSize === 'number' && request.body.batchSize > 0
      ? request.body.batchSize
      : Number.POSITIVE_INFINITY;
  let batch: Document[] = [];
  try {
    for (;;) {
      batch = readBatch(state, cursor, limit);
      if (batch.length > 0 || cursor.invalidated) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      await state.changes.waitForNext(left);
      if (!state.cursors.has(cursorId)) break; // killed while waiting
    }
  } catch (error) {
    // mongod destroys a cursor whose getMore fails: the client's killCursors then finds none.
    state.cursors.close(cursorId);
    throw error;
  }
  const done = cursor.invalidated;
  if (done) state.cursors.close(cursorId);
  return {
    cursor: {
      nextBatch: batch,
      postBatchResumeToken: resumeToken(cursor.afterSeq, done),
      id: done ? Long.ZERO : cursorId,
      ns: cursor.ns,
    },
    ok: 1,
  };
}

/** Reads events after the cursor's position, up to `limit` events and 16 MiB per batch. */
function readBatch(state: ServerState, cursor: ChangeStreamCursor, limit: number): Document[] {
  const out: Document[] = [];
  let bytes = 0;
  while (out.length < limit && !cursor.invalidated) {
    const records = state.changes.since(cursor.afterSeq, MAX_RECORDS_PER_BATCH);
    if (records.length === 0) break;
    for (const rec of records) {
      if (out.length >= limit) return out;
      if (!concerns(cursor, rec)) {
        cursor.afterSeq = rec.seq;
        continue;
      }
      const wasInvalidated = cursor.invalidated;
      const shaped = toEvents(rec, optionsOf(cursor), (db, coll, id) =>
        state.store.get(db, coll)?.getById(id),
      );
      if (shaped.invalidates) cursor.invalidated = true;
      const events = runPipeline(cursor, shaped.events);
      for (const event of events) checkResumeToken(event, shaped.events);
      const size = events.reduce((n, e) => n + calculateObjectSize(e), 0);
      if (out.length > 0 && bytes + size > MAX_BSON_OBJECT_BYTES) {
        cursor.invalidated = wasInvalidated; // this record goes in the next batch
        return out;
      }
      bytes += size;
      cursor.afterSeq = rec.seq;
      out.push(...events);
      if (cursor.invalidated) break;
    }
  }
  return out;
}

function optionsOf(cursor: ChangeStreamCursor): EventOptions {
  return (
    STREAM_OPTIONS.get(cursor) ?? {
      collectionStream: cursor.coll !== undefined,
      showExpandedEvents: false,
      fullDocument: 'default',
      fullDocumentBeforeChange: 'off',
    }
  );
}

function concerns(cursor: ChangeStreamCursor, rec: ChangeRecord): boolean {
  if (EXPANDED_ONLY.has(rec.operationType) && !optionsOf(cursor).showExpandedEvents) return false;
  if (rec.db !== cursor.db && cursor.db !== 'admin') return false;
  if (cursor.coll === undefined) return true;
  return rec.coll === cursor.coll;
}

function runPipeline(cursor: ChangeStreamCursor, events: Document[]): Document[] {
  if (cursor.pipeline.length === 0) return events;
  try {
    return new Aggregator(cursor.pipeline, mingoOptions()).run(events) as Document[];
  } catch (error) {
    throw fromMingo(error);
  }
}

/**
 * Every event must keep its resume token as `_id`, or the stream could not resume from it:
 * mongod fails the getMore with 280 ChangeStreamFatalError (NonResumableChangeStreamError).
 */
function checkResumeToken(event: Document, shaped: Document[]): void {
  const id = event._id;
  const data = isPlainObject(id) && Object.keys(id).length === 1 ? id._data : undefined;
  if (shaped.some((e) => (e._id as Document)._data === data)) return;
  const expected = (shaped[0]!._id as Document)._data;
  throw new MongoCommandError(
    280,
    `Encountered an event whose _id field, which contains the resume token, was modified by the pipeline. Modifying the _id field of an event makes it impossible to resume the stream from that point. Only transformations that retain the unmodified _id field are allowed. Expected: { _id: { _data: "${expected}" } } but found: ${id === undefined ? '{}' : `{ _id: ${JSON.stringify(id)} }`}`,
    'ChangeStreamFatalError',
    { errorLabels: ['NonResumableChangeStreamError'] },
  );
}
