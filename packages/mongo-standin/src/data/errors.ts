import type { Document } from './bson-values.js';
import { bsonTypeName } from './bson-values.js';

/** A command failure, answered as mongod does: `{ok: 0, errmsg, code, codeName, ...extra}`. */
export class MongoCommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly codeName: string,
    readonly extra: Document = {},
  ) {
    super(message);
  }

  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

export const badValue = (message: string) => new MongoCommandError(2, message, 'BadValue');
export const failedToParse = (message: string) =>
  new MongoCommandError(9, message, 'FailedToParse');
export const typeMismatch = (message: string) => new MongoCommandError(14, message, 'TypeMismatch');
/** mongod's IDL parser's answer for a field of the wrong BSON type. */
export const fieldWrongType = (field: string, value: unknown, expected: string) =>
  typeMismatch(
    `BSON field '${field}' is the wrong type '${bsonTypeName(value)}', expected type '${expected}'`,
  );
/** mongod's IDL parser's answer for a field the command does not define (`path` as it names it). */
export const unknownField = (path: string) =>
  new MongoCommandError(40415, `BSON field '${path}' is an unknown field.`, 'Location40415');
/** mongod's IDL parser's answer for a required field that is absent. */
export const missingField = (path: string) =>
  new MongoCommandError(
    40414,
    `BSON field '${path}' is missing but a required field`,
    'Location40414',
  );
export const invalidNamespace = (message: string) =>
  new MongoCommandError(73, message, 'InvalidNamespace');

export class DuplicateKeyError extends MongoCommandError {
  constructor(ns: string, indexName: string, keyPattern: Document, keyValue: Document) {
    const shown = Object.entries(keyValue)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join(', ');
    super(
      11000,
      `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: { ${shown} }`,
      'DuplicateKey',
      { keyPattern, keyValue },
    );
  }
}

/**
 * mingo's errors, reworded with the code and message mongod gives for the same mistake, so the
 * driver raises what it would against MongoDB. Anything unrecognised is BadValue (2).
 */
const MINGO_RULES: Array<[RegExp, (name: string) => MongoCommandError]> = [
  [
    /Use of undefined variable: (\w+)/,
    (name) => new MongoCommandError(17276, `Use of undefined variable: ${name}`, 'Location17276'),
  ],
  [/unknown query operator (\$\w+)/, (name) => badValue(`unknown operator: ${name}`)],
  [
    /unregistered pipeline operator (\$\w+)/,
    (name) =>
      new MongoCommandError(40324, `Unrecognized pipeline stage name: '${name}'`, 'Location40324'),
  ],
  [
    /accumulator '(\$\w+)' is not registered/,
    (name) =>
      new MongoCommandError(168, `Unrecognized expression '${name}'`, 'InvalidPipelineOperator'),
  ],
  [
    /Cannot do exclusion and inclusion in (projection)/,
    () =>
      new MongoCommandError(
        31254,
        'Cannot do exclusion on a field in an inclusion projection',
        'Location31254',
      ),
  ],
];

export function fromMingo(error: unknown): MongoCommandError {
  if (error instanceof MongoCommandError) return error;
  const text = String((error as Error)?.message ?? error).replace(/^mingo: /, '');
  for (const [pattern, make] of MINGO_RULES) {
    const match = pattern.exec(text);
    if (match) return make(match[1] ?? '');
  }
  return badValue(text);
}
