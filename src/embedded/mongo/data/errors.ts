import type { Document } from './bson-values.js';

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
