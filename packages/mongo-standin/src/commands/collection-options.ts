import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
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
  if (!isPlainObject(value)) throw wrongType(field, value, 'object');
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
    throw wrongType(`${field}.enabled`, value.enabled, 'bool');
  return { enabled: value.enabled };
}

function wrongType(field: string, value: unknown, expected: string): MongoCommandError {
  return new MongoCommandError(
    14,
    `BSON field '${field}' is the wrong type '${typeName(value)}', expected type '${expected}'`,
    'TypeMismatch',
  );
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  const bsontype = (value as Document)._bsontype;
  return typeof bsontype === 'string' ? bsontype.toLowerCase() : 'object';
}
