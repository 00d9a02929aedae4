import type { Document } from '../data/bson-values.js';
import { isPlainObject } from '../data/paths.js';

/** Longer strings rarely repeat (ids, descriptions) and cost more to hash. */
const MAX_SHARED_LENGTH = 48;
/** Distinct strings remembered; when full the table starts over, so memory stays bounded. */
const MAX_SHARED_STRINGS = 65_536;

/**
 * Makes the short strings of stored documents share one copy per value. Each decoded document
 * brings fresh copies of values that repeat across thousands of documents: an account id in
 * every movement of the account, a currency, a kind, an actor. They were about a third of a
 * read-model document's heap (a 36-character id is 56 bytes, each time). Replacing a string by
 * an equal one changes nothing a client can see.
 */
export class SharedStrings {
  #table = new Map<string, string>();

  /**
   * Rewrites `doc`'s short string values, at any depth, to their shared copies. An `_id` is
   * left alone: it is unique, and a string one is already the collection's key for it.
   */
  shareIn(doc: Document): void {
    for (const key in doc) {
      if (key === '_id') continue;
      const value = doc[key];
      if (typeof value === 'string') {
        if (value.length <= MAX_SHARED_LENGTH) doc[key] = this.#share(value);
      } else if (Array.isArray(value)) this.#shareInArray(value);
      else if (isPlainObject(value)) this.shareIn(value);
    }
  }

  #shareInArray(values: unknown[]): void {
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value === 'string') {
        if (value.length <= MAX_SHARED_LENGTH) values[i] = this.#share(value);
      } else if (Array.isArray(value)) this.#shareInArray(value);
      else if (isPlainObject(value)) this.shareIn(value);
    }
  }

  #share(value: string): string {
    const shared = this.#table.get(value);
    if (shared !== undefined) return shared;
    if (this.#table.size >= MAX_SHARED_STRINGS) this.#table = new Map();
    this.#table.set(value, value);
    return value;
  }
}
