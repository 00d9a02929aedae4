import type { Document } from '../data/bson-values.js';
import { badValue, MongoCommandError } from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';
import { compileFilter } from '../data/query.js';
import type { IndexSpec } from '../data/secondary-index.js';
import { type CollectionOptions, ID_INDEX } from '../storage/collection.js';
import { parsePreAndPostImages } from './collection-options.js';
import { type CommandHandler, collectionName } from './context.js';
import { collStatsDocument, firstBatch, optionalCount } from './read.js';

export const create: CommandHandler = (state, request) => {
  const name = collectionName(request);
  if (state.store.get(request.db, name)) {
    throw new MongoCommandError(
      48,
      `Collection ${request.db}.${name} already exists.`,
      'NamespaceExists',
    );
  }
  const options: CollectionOptions = {};
  if (request.body.changeStreamPreAndPostImages !== undefined) {
    const images = parsePreAndPostImages('create', request.body.changeStreamPreAndPostImages);
    // As mongod keeps it: a disabled option is not stored, so listCollections does not show it.
    if (images?.enabled) options.changeStreamPreAndPostImages = images;
  }
  state.store.getOrCreate(request.db, name, { options });
  return { ok: 1 };
};

export const drop: CommandHandler = (state, request) => {
  const name = collectionName(request);
  const coll = state.store.get(request.db, name);
  const nIndexesWas = coll ? coll.indexes.size + 1 : 0;
  state.store.drop(request.db, name);
  // MongoDB 7 answers ok for a missing collection too.
  return { nIndexesWas, ns: `${request.db}.${name}`, ok: 1 };
};

export const dropDatabase: CommandHandler = (state, request) => {
  state.store.dropDatabase(request.db);
  return { dropped: request.db, ok: 1 };
};

export const listDatabases: CommandHandler = (state, request) => {
  const names = state.store.databaseNames().sort();
  const databases = names.map((name) => ({ name, sizeOnDisk: 0, empty: false }));
  if (request.body.nameOnly === true) return { databases: names.map((name) => ({ name })), ok: 1 };
  return { databases, totalSize: 0, totalSizeMb: 0, ok: 1 };
};

export const listCollections: CommandHandler = (state, request) => {
  const infos = state.store.collections(request.db).map((coll) => ({
    name: coll.name,
    type: 'collection',
    options: { ...coll.options },
    info: { readOnly: false, uuid: coll.uuid },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  }));
  const filter = isPlainObject(request.body.filter) ? request.body.filter : {};
  const matcher = compileFilter(filter);
  const filtered = infos.filter((info) => matcher.test(info));
  const nameOnly = request.body.nameOnly === true;
  const docs = nameOnly ? filtered.map(({ name, type }) => ({ name, type })) : filtered;
  const batchSize = optionalCount(
    (request.body.cursor as Document | undefined)?.batchSize,
    'batchSize',
  );
  return firstBatch(state, `${request.db}.$cmd.listCollections`, docs, batchSize, false);
};

export const collStats: CommandHandler = (state, request) => {
  const name = collectionName(request);
  const coll = state.store.get(request.db, name);
  if (!coll)
    throw new MongoCommandError(26, `ns not found ${request.db}.${name}`, 'NamespaceNotFound');
  const stats = collStatsDocument(state, request.db, name);
  return {
    ns: stats.ns,
    count: coll.docs.size,
    size: 0,
    storageSize: 0,
    nindexes: coll.indexes.size + 1,
    totalIndexSize: 0,
    ok: 1,
  };
};

function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join('_');
}

export const createIndexes: CommandHandler = (state, request) => {
  const name = collectionName(request);
  const specs = request.body.indexes;
  if (!Array.isArray(specs) || specs.length === 0)
    throw badValue('Must specify at least one index to create');
  const existed = state.store.get(request.db, name) !== undefined;
  const coll = state.store.getOrCreate(request.db, name);
  const before = coll.indexes.size + 1;
  for (const raw of specs) {
    if (!isPlainObject(raw) || !isPlainObject(raw.key) || Object.keys(raw.key).length === 0) {
      throw new MongoCommandError(
        67,
        'Index key pattern must be a non-empty document',
        'CannotCreateIndex',
      );
    }
    for (const [field, dir] of Object.entries(raw.key)) {
      const ok =
        typeof dir === 'string'
          ? ['text', 'hashed', '2dsphere', '2d'].includes(dir)
          : Number(String(dir)) !== 0;
      if (!ok || field.startsWith('$'))
        throw new MongoCommandError(
          67,
          `Values in the index key pattern can't be 0 or invalid: ${field}`,
          'CannotCreateIndex',
        );
    }
    const spec: IndexSpec = {
      name: typeof raw.name === 'string' ? raw.name : defaultIndexName(raw.key),
      key: raw.key,
    };
    if (raw.unique === true) spec.unique = true;
    if (raw.sparse === true) spec.sparse = true;
    if (isPlainObject(raw.partialFilterExpression))
      spec.partialFilterExpression = raw.partialFilterExpression;
    if (Object.keys(raw.key).length === 1 && raw.key._id !== undefined) continue; // the _id index exists already
    coll.createIndex(spec);
  }
  const after = coll.indexes.size + 1;
  return {
    numIndexesBefore: before,
    numIndexesAfter: after,
    ...(after === before ? { note: 'all indexes already exist' } : {}),
    createdCollectionAutomatically: !existed,
    ok: 1,
  };
};

export const listIndexes: CommandHandler = (state, request) => {
  const name = collectionName(request);
  const coll = state.store.get(request.db, name);
  if (!coll)
    throw new MongoCommandError(
      26,
      `ns does not exist: ${request.db}.${name}`,
      'NamespaceNotFound',
    );
  const docs = coll.listIndexSpecs().map((spec) => ({ v: 2, ...spec }));
  const batchSize = optionalCount(
    (request.body.cursor as Document | undefined)?.batchSize,
    'batchSize',
  );
  return firstBatch(state, `${request.db}.${name}`, docs, batchSize, false);
};

export const dropIndexes: CommandHandler = (state, request) => {
  const name = collectionName(request);
  const coll = state.store.get(request.db, name);
  if (!coll)
    throw new MongoCommandError(26, `ns not found ${request.db}.${name}`, 'NamespaceNotFound');
  const nIndexesWas = coll.indexes.size + 1;
  const target = request.body.index;
  const names: string[] = [];
  if (target === '*') names.push(...coll.indexes.keys());
  else if (typeof target === 'string') names.push(target);
  else if (Array.isArray(target)) names.push(...target.map(String));
  else if (isPlainObject(target)) {
    const match = coll
      .listIndexSpecs()
      .find((s) => JSON.stringify(s.key) === JSON.stringify(target));
    if (!match)
      throw new MongoCommandError(
        27,
        `can't find index with key: ${JSON.stringify(target)}`,
        'IndexNotFound',
      );
    names.push(match.name);
  } else throw badValue('index must be a string, array or document');
  for (const indexName of names) coll.dropIndex(indexName);
  return { nIndexesWas, ok: 1 };
};

export { ID_INDEX };

function splitNamespace(value: unknown, field: string): { db: string; coll: string } {
  const text = typeof value === 'string' ? value : '';
  const dot = text.indexOf('.');
  if (dot <= 0 || dot === text.length - 1) {
    throw new MongoCommandError(
      73,
      `Invalid ${field} namespace: ${String(value)}`,
      'InvalidNamespace',
    );
  }
  return { db: text.slice(0, dot), coll: text.slice(dot + 1) };
}

/** renameCollection (run against admin): `{renameCollection: 'db.a', to: 'db.b', dropTarget}`. */
export const renameCollection: CommandHandler = (state, request) => {
  if (request.db !== 'admin') {
    throw new MongoCommandError(
      13,
      'renameCollection may only be run against the admin database.',
      'Unauthorized',
    );
  }
  const from = splitNamespace(request.body.renameCollection, 'source');
  const to = splitNamespace(request.body.to, 'target');
  state.store.rename(from.db, from.coll, to.db, to.coll, request.body.dropTarget === true);
  return { ok: 1 };
};
