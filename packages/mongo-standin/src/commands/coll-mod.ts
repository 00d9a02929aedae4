import type { Document } from '../data/bson-values.js';
import { MongoCommandError, unknownField } from '../data/errors.js';
import type { CollectionOptions } from '../storage/collection.js';
import { viewsOf } from '../storage/view-catalog.js';
import { parsePreAndPostImages } from './collection-options.js';
import { type CommandHandler, collectionName } from './context.js';
import { modifyView } from './views.js';
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
  'expireAfterSeconds',
  'timeseries',
  'dryRun',
  'cappedSize',
  'cappedMax',
  'collectionUUID',
  'timeseriesBucketsMayHaveMixedSchemaData',
]);
/** Options of a view's definition (a view's collMod changes them). */
const VIEW_OPTIONS = new Set(['viewOn', 'pipeline']);

const invalidOptions = (message: string) => new MongoCommandError(72, message, 'InvalidOptions');

/**
 * `collMod`: changes a collection's options or a view's definition. On a collection the
 * stand-in implements `changeStreamPreAndPostImages: {enabled}`; mongod's other options are
 * refused, never ignored, with 72 InvalidOptions naming the option: the code mongod's collMod
 * gives every option it cannot apply where it is asked ("option not supported on a view: …",
 * "option only supported on a view: …", "unknown option to collMod: …", coll_mod.cpp), and the
 * code `create` refuses unsupported options with. On a view, `viewOn` and `pipeline` replace
 * its definition (views.ts) and any other option is mongod's 72 "option not supported on a
 * view". A field mongod does not know is its 40415; a missing namespace 26. Change streams with
 * showExpandedEvents see a `modify` event. The answer waits for the journal, as other DDL does.
 */
export const collMod: CommandHandler = async (state, request) => {
  const name = collectionName(request);
  const fields: Array<[string, unknown]> = [];
  for (const [field, value] of Object.entries(request.body)) {
    if (field === 'collMod' || GENERIC_ARGUMENTS.has(field)) continue;
    const known =
      field === 'changeStreamPreAndPostImages' ||
      VIEW_OPTIONS.has(field) ||
      UNIMPLEMENTED.has(field);
    if (!known) {
      throw unknownField(`collMod.${field}`);
    }
    fields.push([field, value]);
  }
  const durability = state.durability;
  if (durability?.failure)
    throw new MongoCommandError(1, durability.failure.message, 'InternalError');
  if (viewsOf(state.store).get(request.db, name)) {
    modifyView(state, request.db, name, fields);
  } else {
    const coll = state.store.get(request.db, name);
    if (!coll) {
      throw new MongoCommandError(
        26,
        `ns does not exist: ${request.db}.${name}`,
        'NamespaceNotFound',
      );
    }
    const changes: CollectionOptions = {};
    for (const [field, value] of fields) {
      if (field === 'changeStreamPreAndPostImages') {
        changes.changeStreamPreAndPostImages = parsePreAndPostImages('collMod', value);
      } else if (VIEW_OPTIONS.has(field)) {
        throw invalidOptions(`option only supported on a view: ${field}`);
      } else {
        throw invalidOptions(
          `collMod option '${field}' is not supported by the Tally embedded MongoDB stand-in`,
        );
      }
    }
    state.store.modify(coll, changes);
  }
  if (durability && waitsForJournal(request.body)) {
    try {
      await durability.whenDurable(durability.position);
    } catch (error) {
      throw new MongoCommandError(1, (error as Error).message, 'InternalError');
    }
  }
  return { ok: 1 } as Document;
};
