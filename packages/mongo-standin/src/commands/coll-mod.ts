import type { Document } from '../data/bson-values.js';
import { badValue, MongoCommandError } from '../data/errors.js';
import type { CollectionOptions } from '../storage/collection.js';
import { parsePreAndPostImages } from './collection-options.js';
import { type CommandHandler, collectionName } from './context.js';
import { waitsForJournal } from './write-concern.js';

/** Arguments any command may carry (mongod's generic arguments), so collMod accepts them too. */
const GENERIC_ARGUMENTS = new Set([
  '$db',
  '$clusterTime',
  '$readPreference',
  '$audit',
  '$client',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'comment',
  'lsid',
  'txnNumber',
  'maxTimeMS',
  'readConcern',
  'writeConcern',
]);

/** collMod options of mongod 7.0 that the stand-in does not implement: refused by name. */
const UNIMPLEMENTED = new Set([
  'validator',
  'validationLevel',
  'validationAction',
  'index',
  'viewOn',
  'pipeline',
  'expireAfterSeconds',
  'timeseries',
  'dryRun',
  'cappedSize',
  'cappedMax',
  'collectionUUID',
  'timeseriesBucketsMayHaveMixedSchemaData',
]);

/**
 * `collMod`: changes a collection's options. The stand-in implements
 * `changeStreamPreAndPostImages: {enabled}` (whether writes record pre- and post-images for
 * change streams). mongod's other options are refused with 2 BadValue naming the option, never
 * ignored; a field mongod does not know either is its 40415. Change streams with
 * showExpandedEvents see a `modify` event. The answer waits for the journal, as other DDL does.
 */
export const collMod: CommandHandler = async (state, request) => {
  const name = collectionName(request);
  const changes: CollectionOptions = {};
  for (const [field, value] of Object.entries(request.body)) {
    if (field === 'collMod' || GENERIC_ARGUMENTS.has(field)) continue;
    if (field === 'changeStreamPreAndPostImages') {
      changes.changeStreamPreAndPostImages = parsePreAndPostImages('collMod', value);
    } else if (UNIMPLEMENTED.has(field)) {
      throw badValue(
        `collMod option '${field}' is not supported by the Tally embedded MongoDB stand-in`,
      );
    } else {
      throw new MongoCommandError(
        40415,
        `BSON field 'collMod.${field}' is an unknown field.`,
        'Location40415',
      );
    }
  }
  const coll = state.store.get(request.db, name);
  if (!coll) {
    throw new MongoCommandError(
      26,
      `ns does not exist: ${request.db}.${name}`,
      'NamespaceNotFound',
    );
  }
  const durability = state.durability;
  if (durability?.failure)
    throw new MongoCommandError(1, durability.failure.message, 'InternalError');
  state.store.modify(coll, changes);
  if (durability && waitsForJournal(request.body)) {
    try {
      await durability.whenDurable(durability.position);
    } catch (error) {
      throw new MongoCommandError(1, (error as Error).message, 'InternalError');
    }
  }
  return { ok: 1 } as Document;
};
