import { calculateObjectSize, Long, type Timestamp } from 'bson';
import { Aggregator } from 'mingo/aggregator';
import type { ChangeRecord } from '../changes/change-log.js';
import type { Document } from '../data/bson-values.js';
import { badValue, MongoCommandError } from '../data/errors.js';
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

export function resumeToken(seq: number, invalidate = false): Document {
  return { _data: `82${seq.toString(16).padStart(16, '0')}${invalidate ? '01' : '00'}` };
}

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
  if (!isPlainObject(spec)) throw badValue('$changeStream stage expects a document');
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
  const fullDocument = typeof spec.fullDocument === 'string' ? spec.fullDocument : 'default';
  const cursor: ChangeStreamCursor = {
    kind: 'changeStream',
    ns,
    db: request.db,
    coll,
    afterSeq,
    fullDocument,
    pipeline: pipeline.slice(1),
    invalidated: false,
    busy: false,
  };
  validatePipeline(cursor.pipeline);
  const id = state.cursors.open(cursor);
  return { cursor: { firstBatch: [], postBatchResumeToken: resumeToken(afterSeq), id, ns }, ok: 1 };
}

const ALLOWED_STAGES = new Set([
  '$match',
  '$project',
  '$addFields',
  '$set',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
  '$redact',
]);

function validatePipeline(stages: Document[]): void {
  for (const stage of stages) {
    const name = Object.keys(stage)[0] ?? '';
    if (!ALLOWED_STAGES.has(name)) {
      throw new MongoCommandError(
        ChangeStreamIllegalStage,
        `${name} is not permitted in a $changeStream pipeline`,
        'IllegalOperation',
      );
    }
  }
}
const ChangeStreamIllegalStage = 20;

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
  for (;;) {
    batch = readBatch(state, cursor, limit);
    if (batch.length > 0 || cursor.invalidated) break;
    const left = deadline - Date.now();
    if (left <= 0) break;
    await state.changes.waitForNext(left);
    if (!state.cursors.has(cursorId)) break; // killed while waiting
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
      const events = runPipeline(cursor, toEvents(state, cursor, rec));
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

function concerns(cursor: ChangeStreamCursor, rec: ChangeRecord): boolean {
  if (rec.db !== cursor.db && cursor.db !== 'admin') return false;
  if (cursor.coll === undefined) return true;
  return rec.coll === cursor.coll;
}

function toEvents(state: ServerState, cursor: ChangeStreamCursor, rec: ChangeRecord): Document[] {
  const base: Document = {
    _id: resumeToken(rec.seq),
    operationType: rec.operationType,
    clusterTime: rec.clusterTime,
    wallTime: rec.wallTime,
  };
  const ns = rec.coll === undefined ? { db: rec.db } : { db: rec.db, coll: rec.coll };
  switch (rec.operationType) {
    case 'insert':
    case 'replace':
      return [{ ...base, fullDocument: rec.fullDocument, ns, documentKey: rec.documentKey }];
    case 'update': {
      const event: Document = {
        ...base,
        ns,
        documentKey: rec.documentKey,
        updateDescription: rec.updateDescription,
      };
      if (cursor.fullDocument === 'updateLookup') {
        const current = state.store.get(rec.db, rec.coll!)?.getById(rec.documentKey!._id);
        event.fullDocument = current ?? null;
      } else if (cursor.fullDocument === 'whenAvailable' || cursor.fullDocument === 'required') {
        event.fullDocument = rec.fullDocument;
      }
      return [event];
    }
    case 'delete':
      return [{ ...base, ns, documentKey: rec.documentKey }];
    case 'drop':
    case 'rename':
    case 'dropDatabase': {
      const events: Document[] = [rec.to ? { ...base, ns, to: rec.to } : { ...base, ns }];
      // A collection stream ends with the collection; a database stream with the database.
      if (
        (cursor.coll !== undefined &&
          (rec.operationType === 'drop' || rec.operationType === 'rename')) ||
        (cursor.coll === undefined && rec.operationType === 'dropDatabase')
      ) {
        events.push({
          _id: resumeToken(rec.seq, true),
          operationType: 'invalidate',
          clusterTime: rec.clusterTime,
          wallTime: rec.wallTime,
        });
        cursor.invalidated = true;
      }
      return events;
    }
  }
}

function runPipeline(cursor: ChangeStreamCursor, events: Document[]): Document[] {
  if (cursor.pipeline.length === 0) return events;
  return new Aggregator(cursor.pipeline, mingoOptions()).run(events) as Document[];
}
