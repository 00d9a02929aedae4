import type { Document } from '../data/bson-values.js';
import { MongoCommandError, typeMismatch } from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';
import { compileFilter } from '../data/query.js';
import { validateNamespace } from '../storage/store.js';
import { type ViewDefinition, viewNotCollection, viewsOf } from '../storage/view-catalog.js';
import type { CommandRequest, ServerState } from './context.js';
import { listCollections } from './ddl.js';
import { aggregateDocuments, firstBatch, optionalCount } from './read.js';

/**
 * Views in the catalog commands, before their collection handlers run (dispatch.ts): `create`
 * with `viewOn`, `drop` and `listCollections` of views, `dropDatabase`, and mongod's 166
 * CommandNotSupportedOnView for writes and index commands on a view. Reads of a view (find,
 * aggregate, count, distinct, $lookup) run its pipeline in read.ts. Returns the reply when the
 * command was about a view, undefined to let the command run as usual.
 */
export function interceptViews(state: ServerState, request: CommandRequest): Document | undefined {
  const { name, body, db } = request;
  const views = viewsOf(state.store);
  const target = typeof body[name] === 'string' ? (body[name] as string) : undefined;
  switch (name) {
    case 'create':
      if (body.viewOn !== undefined || body.pipeline !== undefined)
        return createView(state, request);
      if (target !== undefined && views.get(db, target)) throw namespaceExists(db, target);
      return undefined;
    case 'drop':
      if (target !== undefined && views.delete(db, target)) return { ns: `${db}.${target}`, ok: 1 };
      return undefined;
    case 'dropDatabase':
      views.dropDatabase(db);
      return undefined;
    case 'listCollections':
      return views.list(db).length > 0 ? listWithViews(state, request) : undefined;
    case 'insert':
    case 'update':
    case 'delete':
      return target !== undefined && views.get(db, target)
        ? writeToView(db, target, body, name === 'insert' ? 'documents' : `${name}s`)
        : undefined;
    case 'findAndModify':
    case 'findandmodify':
    case 'createIndexes':
    case 'listIndexes':
    case 'dropIndexes':
    case 'deleteIndexes':
    case 'collStats':
      if (target !== undefined && views.get(db, target)) throw viewNotCollection(db, target);
      return undefined;
    case 'renameCollection':
      refuseRenameOfView(state, body);
      return undefined;
    default:
      return undefined;
  }
}

function namespaceExists(db: string, name: string): MongoCommandError {
  return new MongoCommandError(48, `Collection ${db}.${name} already exists.`, 'NamespaceExists');
}

function createView(state: ServerState, request: CommandRequest): Document {
  const { body, db } = request;
  const name = body.create as string;
  if (body.viewOn === undefined) {
    throw new MongoCommandError(
      72,
      "'pipeline' requires 'viewOn' to also be specified",
      'InvalidOptions',
    );
  }
  const view = viewDefinition(db, name, 'create', body.viewOn, body.pipeline ?? []);
  const views = viewsOf(state.store);
  if (state.store.get(db, name) || views.get(db, name)) throw namespaceExists(db, name);
  parsePipeline(state, db, view);
  views.set(db, name, view);
  try {
    views.resolve(db, name);
  } catch (error) {
    views.delete(db, name);
    throw error;
  }
  return { ok: 1 };
}

/** A view's `viewOn` and `pipeline`, type-checked as mongod checks them at create and collMod. */
function viewDefinition(
  db: string,
  name: string,
  command: string,
  viewOn: unknown,
  pipeline: unknown,
): ViewDefinition {
  if (typeof viewOn !== 'string') {
    throw typeMismatch(
      `BSON field '${command}.viewOn' is the wrong type '${typeof viewOn}', expected type 'string'`,
    );
  }
  if (!Array.isArray(pipeline)) {
    throw typeMismatch(
      `BSON field '${command}.pipeline' is the wrong type '${typeof pipeline}', expected type 'array'`,
    );
  }
  for (const stage of pipeline) {
    if (!isPlainObject(stage)) {
      throw new MongoCommandError(
        164,
        `View 'pipeline' entries must be objects, but ${db}.${name} has a pipeline element of type ${typeof stage}`,
        'InvalidViewDefinition',
      );
    }
  }
  validateNamespace(db, name);
  validateNamespace(db, viewOn);
  return { viewOn, pipeline: pipeline as Document[] };
}

/** The pipeline is parsed now, as mongod does, so a bad stage fails the command, not the reads. */
function parsePipeline(state: ServerState, db: string, view: ViewDefinition): void {
  aggregateDocuments(state, db, undefined, view.pipeline);
}

/**
 * collMod of a view: `viewOn` and/or `pipeline` replace its definition (the other keeps its
 * value); any other option is mongod's 72 "option not supported on a view: …". A definition
 * that would make a cycle or too deep a chain is refused and the old one kept.
 */
export function modifyView(
  state: ServerState,
  db: string,
  name: string,
  fields: Array<[string, unknown]>,
): void {
  const views = viewsOf(state.store);
  const current = views.get(db, name);
  if (!current) return;
  const given = new Map(fields);
  for (const field of given.keys()) {
    if (field !== 'viewOn' && field !== 'pipeline') {
      throw new MongoCommandError(72, `option not supported on a view: ${field}`, 'InvalidOptions');
    }
  }
  if (given.size === 0) return;
  const next = viewDefinition(
    db,
    name,
    'collMod',
    given.get('viewOn') ?? current.viewOn,
    given.get('pipeline') ?? current.pipeline,
  );
  parsePipeline(state, db, next);
  views.set(db, name, next);
  try {
    views.resolve(db, name);
  } catch (error) {
    views.set(db, name, current);
    throw error;
  }
}

/** listCollections with the views, `type: 'view'` and their definition, as mongod lists them. */
function listWithViews(state: ServerState, request: CommandRequest): Document {
  const { body, db } = request;
  const everything = { ...body, cursor: { batchSize: Number.MAX_SAFE_INTEGER } };
  const collections = listCollections(state, { ...request, body: everything }) as Document;
  const docs = [...((collections.cursor as Document).firstBatch as Document[])];
  const matcher = compileFilter(isPlainObject(body.filter) ? body.filter : {});
  for (const [name, view] of viewsOf(state.store).list(db)) {
    const info: Document = {
      name,
      type: 'view',
      options: { viewOn: view.viewOn, pipeline: view.pipeline },
      info: { readOnly: true },
    };
    if (!matcher.test(info)) continue;
    docs.push(body.nameOnly === true ? { name, type: 'view' } : info);
  }
  const batchSize = optionalCount((body.cursor as Document | undefined)?.batchSize, 'batchSize');
  return firstBatch(state, `${db}.$cmd.listCollections`, docs, batchSize, false);
}

/**
 * A write to a view fails per statement, as mongod's write path answers it: the first
 * statement of an ordered batch, every statement of an unordered one.
 */
function writeToView(db: string, name: string, body: Document, field: string): Document {
  const statements = Array.isArray(body[field]) ? (body[field] as unknown[]) : [];
  const error = viewNotCollection(db, name);
  const failed = body.ordered === false ? statements.length : Math.min(1, statements.length);
  const writeErrors = Array.from({ length: failed }, (_, index) => ({
    index,
    code: error.code,
    errmsg: error.message,
  }));
  return {
    n: 0,
    ...(field === 'updates' ? { nModified: 0 } : {}),
    ...(writeErrors.length > 0 ? { writeErrors } : {}),
    ok: 1,
  };
}

function refuseRenameOfView(state: ServerState, body: Document): void {
  const views = viewsOf(state.store);
  for (const field of ['renameCollection', 'to'] as const) {
    const ns = typeof body[field] === 'string' ? (body[field] as string) : '';
    const dot = ns.indexOf('.');
    if (dot <= 0) continue;
    const db = ns.slice(0, dot);
    const coll = ns.slice(dot + 1);
    if (!views.get(db, coll)) continue;
    if (field === 'renameCollection') throw viewNotCollection(db, coll);
    throw new MongoCommandError(
      48,
      `a view already exists with that name: ${ns}`,
      'NamespaceExists',
    );
  }
}
