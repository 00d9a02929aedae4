import { fieldWrongType, missingField, unknownField } from '../data/errors.js';
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
      throw unknownField(`${field}.${key}`);
    }
  }
  if (value.enabled === undefined) {
    throw missingField(`${field}.enabled`);
  }
  if (typeof value.enabled !== 'boolean')
    throw fieldWrongType(`${field}.enabled`, value.enabled, 'bool');
  return { enabled: value.enabled };
}
