import { fieldWrongType, MongoCommandError } from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';
import type { CollectionOptions } from '../storage/collection.js';

/**
 * `changeStreamPreAndPostImages: {enabled: <bool>}` of `create` or `collMod`, checked as mongod's
 * IDL parser checks it (`command` names the command in the error, e.g. 'collMod').
 */
export function parsePreAndPostImages(
  command: string,
  value: unknown,
): CollectionOptions['changeStreamPreAndPostImages'] {
  const field = `${command}.changeStreamPreAndPostImages`;
  if (!isPlainObject(value)) throw fieldWrongType(field, value, 'object');
  for (const key of Object.keys(value)) {
    if (key !== 'enabled') {
      throw new MongoCommandError(
        40415,
        `BSON field '${field}.${key}' is an unknown field.`,
        'Location40415',
      );
    }
  }
  if (value.enabled === undefined) {
    throw new MongoCommandError(
      40414,
      `BSON field '${field}.enabled' is missing but a required field`,
      'Location40414',
    );
  }
  if (typeof value.enabled !== 'boolean')
    throw fieldWrongType(`${field}.enabled`, value.enabled, 'bool');
  return { enabled: value.enabled };
}
