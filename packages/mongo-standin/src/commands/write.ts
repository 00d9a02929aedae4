import { calculateObjectSize, ObjectId } from 'bson';
import { cloneValue, type Document, encodeDocument } from '../data/bson-values.js';
import { badValue, MongoCommandError, missingField } from '../data/errors.js';
import { isPlainObject, setPath } from '../data/paths.js';
import { projectDocuments } from '../data/sort-project.js';
import { applyUpdate, isOperatorUpdate, type UpdateSpec, validateUpdate } from '../data/update.js';
import type { Collection } from '../storage/collection.js';
import { MAX_BSON_OBJECT_BYTES } from '../wire/opcodes.js';
import { type CommandHandler, collectionName } from './context.js';

function statements(body: Document, field: string): Document[] {
  const list = body[field];
  if (!Array.isArray(list)) {
    throw missingField(field);
  }
  return list as Document[];
}

function writeError(index: number, error: unknown): Document {
  if (error instanceof MongoCommandError) {
    return { index, code: error.code, errmsg: error.message, ...error.extra };
  }
  return { index, code: 1, errmsg: (error as Error).message };
}

/** Runs each statement; ordered writes stop at the first error (MongoDB's writeErrors). */
function runStatements(
  docs: Document[],
  ordered: boolean,
  apply: (doc: Document, index: number) => void,
): Document[] {
  const errors: Document[] = [];
  for (let i = 0; i < docs.length; i++) {
    try {
      apply(docs[i]!, i);
    } catch (error) {
      errors.push(writeError(i, error));
      if (ordered) break;
    }
  }
  return errors;
}

function withErrors(reply: Document, errors: Document[]): Document {
  return errors.length ? { ...reply, writeErrors: errors, ok: 1 } : { ...reply, ok: 1 };
}

function checkIdField(doc: Document): void {
  const id = doc._id;
  if (isPlainObject(id) && Object.keys(id).some((k) => k.startsWith('$'))) {
    throw new MongoCommandError(
      52,
      `_id fields may not contain '$'-prefixed fields: ${Object.keys(id).find((k) => k.startsWith('$'))} is not valid for storage.`,
      'DollarPrefixedFieldName',
    );
  }
  if (id instanceof RegExp) throw badValue("can't use a regex for _id");
}

export const insert: CommandHandler = (state, request) => {
  const coll = state.store.getOrCreate(request.db, collectionName(request));
  const docs = statements(request.body, 'documents');
  let n = 0;
  const errors = runStatements(docs, request.body.ordered !== false, (doc) => {
    if (!isPlainObject(doc)) throw badValue('document to insert must be an object');
    checkIdField(doc);
    checkInsertSize(doc);
    coll.insert(doc);
    n++;
  });
  return withErrors({ n }, errors);
};

/** The document an upsert starts from: the filter's equality predicates (MongoDB's rule). */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  const visit = (f: Document) => {
    for (const [key, value] of Object.entries(f)) {
      if (key === '$and' && Array.isArray(value)) {
        for (const part of value) if (isPlainObject(part)) visit(part);
        continue;
      }
      if (key.startsWith('$')) continue;
      if (isPlainObject(value)) {
        const keys = Object.keys(value);
        if (keys.length > 0 && keys[0]!.startsWith('$')) {
          if ('$eq' in value) setPath(seed, key, cloneValue(value.$eq));
          continue;
        }
      }
      if (value instanceof RegExp) continue;
      setPath(seed, key, cloneValue(value));
    }
  };
  visit(filter);
  return seed;
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  before?: Document;
  after?: Document;
}

/** Whether an update changed anything; also enforces the 16 MB limit on the result. */
function changed(a: Document, b: Document): boolean {
  const after = encodeDocument(b);
  if (after.length > MAX_BSON_OBJECT_BYTES) {
    throw new MongoCommandError(
      17419,
      `Resulting document after update is larger than ${MAX_BSON_OBJECT_BYTES}`,
      'Location17419',
    );
  }
  return !encodeDocument(a).equals(after);
}

function checkInsertSize(doc: Document): void {
  const size = calculateObjectSize(doc, { ignoreUndefined: true });
  if (size > MAX_BSON_OBJECT_BYTES) {
    throw badValue(
      `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_BYTES}`,
    );
  }
}

/** One update statement: the shared core of `update` and `findAndModify`. */
export function updateStatement(
  coll: Collection,
  filter: Document,
  spec: UpdateSpec,
  options: { multi: boolean; upsert: boolean; arrayFilters?: Document[]; sort?: Document },
): UpdateOutcome {
  if (options.multi && !Array.isArray(spec) && !isOperatorUpdate(spec)) {
    throw badValue('multi update is not supported for replacement-style update');
  }
  const matches = coll.query(filter, options.sort, options.multi ? undefined : 1);
  const outcome: UpdateOutcome = { matched: matches.length, modified: 0 };
  for (const before of matches) {
    const after = applyUpdate(before, spec, {
      isInsert: false,
      arrayFilters: options.arrayFilters,
      filter,
    });
    outcome.before ??= before;
    outcome.after ??= after;
    if (!changed(before, after)) continue;
    coll.replace(
      before,
      after,
      Array.isArray(spec) || isOperatorUpdate(spec) ? 'update' : 'replace',
    );
    outcome.modified++;
  }
  if (matches.length === 0 && options.upsert) {
    const seed = Array.isArray(spec) || isOperatorUpdate(spec) ? upsertSeed(filter) : {};
    const filterId = upsertSeed(filter)._id;
    if (!Array.isArray(spec) && !isOperatorUpdate(spec) && filterId !== undefined)
      seed._id = filterId;
    let doc = applyUpdate(seed, spec, {
      isInsert: true,
      arrayFilters: options.arrayFilters,
      filter,
    });
    if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
    checkInsertSize(doc);
    const inserted = coll.insert(doc);
    outcome.upsertedId = inserted._id;
    outcome.after = inserted;
  }
  return outcome;
}

export const update: CommandHandler = (state, request) => {
  const coll = state.store.getOrCreate(request.db, collectionName(request));
  const updates = statements(request.body, 'updates');
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const errors = runStatements(updates, request.body.ordered !== false, (stmt, index) => {
    if (!isPlainObject(stmt.q)) throw badValue('update statement needs a q document');
    const spec = validateUpdate(stmt.u);
    const outcome = updateStatement(coll, stmt.q, spec, {
      multi: stmt.multi === true,
      upsert: stmt.upsert === true,
      arrayFilters: Array.isArray(stmt.arrayFilters)
        ? (stmt.arrayFilters as Document[])
        : undefined,
    });
    if (outcome.upsertedId !== undefined) {
      upserted.push({ index, _id: outcome.upsertedId });
      n += 1;
    } else n += outcome.matched;
    nModified += outcome.modified;
  });
  return withErrors({ n, nModified, ...(upserted.length ? { upserted } : {}) }, errors);
};

export const remove: CommandHandler = (state, request) => {
  const coll = state.store.get(request.db, collectionName(request));
  const deletes = statements(request.body, 'deletes');
  let n = 0;
  const errors = runStatements(deletes, request.body.ordered !== false, (stmt) => {
    if (!isPlainObject(stmt.q)) throw badValue('delete statement needs a q document');
    const limit = Number(stmt.limit ?? 0);
    if (limit !== 0 && limit !== 1)
      throw badValue(`The limit field in delete objects must be 0 or 1. Got ${limit}`);
    if (!coll) return;
    for (const doc of coll.query(stmt.q, undefined, limit === 1 ? 1 : undefined)) {
      coll.delete(doc);
      n++;
    }
  });
  return withErrors({ n }, errors);
};

export const findAndModify: CommandHandler = (state, request) => {
  const { body } = request;
  const coll = state.store.getOrCreate(request.db, collectionName(request));
  const query = isPlainObject(body.query) ? body.query : {};
  const sort = isPlainObject(body.sort) ? body.sort : undefined;
  const fields = isPlainObject(body.fields) ? body.fields : undefined;
  const project = (doc: Document | undefined) =>
    doc ? (projectDocuments([doc], fields)[0] ?? null) : null;
  if (body.remove === true) {
    if (body.update !== undefined) throw badValue('Cannot specify both an update and remove=true');
    const [doc] = coll.query(query, sort, 1);
    if (doc) coll.delete(doc);
    return { lastErrorObject: { n: doc ? 1 : 0 }, value: project(doc), ok: 1 };
  }
  if (body.update === undefined)
    throw badValue('Either an update or remove=true must be specified');
  const spec = validateUpdate(body.update);
  const outcome = updateStatement(coll, query, spec, {
    multi: false,
    upsert: body.upsert === true,
    arrayFilters: Array.isArray(body.arrayFilters) ? (body.arrayFilters as Document[]) : undefined,
    sort,
  });
  const value =
    body.new === true
      ? outcome.after
      : outcome.upsertedId !== undefined
        ? undefined
        : outcome.before;
  const lastErrorObject: Document = {
    n: outcome.upsertedId !== undefined ? 1 : outcome.matched,
    updatedExisting: outcome.matched > 0,
  };
  if (outcome.upsertedId !== undefined) lastErrorObject.upserted = outcome.upsertedId;
  return { lastErrorObject, value: project(value), ok: 1 };
};
