import type { Binary, Decimal128, Long, ObjectId, Timestamp } from 'bson';
import { bsonTypeOf, type Document } from './bson-values.js';
import { compareExact, exactOf } from './compare.js';
import { isPlainObject } from './paths.js';

/**
 * The key of a document's `_id` in its collection's map of documents (and in index entries).
 * A string `_id`, by far the most common, is its own key: no second copy of it per document
 * (about 60 bytes for a UUID-like id). Every other value's key is its `keyOf` after a NUL, and
 * a string that itself starts with a NUL gets one more, so no string key can equal another
 * type's.
 */
export function idKeyOf(id: unknown): string {
  if (typeof id === 'string') return id.charCodeAt(0) === 0 ? `\u0000${id}` : id;
  return `\u0000${keyOf(id)}`;
}

/**
 * A string that is equal for two values exactly when MongoDB considers them equal, so hash maps
 * can serve `_id` lookups and index equality. Numbers of every type share one canonical form,
 * so NumberLong(5), 5 and 5.0 land on the same key.
 */
export function keyOf(value: unknown): string {
  if (value === undefined || value === null) return 'z';
  switch (typeof value) {
    case 'number':
      if (Number.isSafeInteger(value) || !Number.isInteger(value)) return `n${value}`;
      return `n${BigInt(value)}`;
    case 'string':
      return `s${value}`;
    case 'boolean':
      return value ? 'bt' : 'bf';
  }
  if (Array.isArray(value)) return `[${value.map(keyOf).join(',')}]`;
  if (value instanceof Date) return `d${value.getTime()}`;
  if (value instanceof RegExp) return `r${value.source}/${value.flags}`;
  switch (bsonTypeOf(value)) {
    case 'ObjectId':
      return `o${(value as ObjectId).toHexString()}`;
    case 'Int32':
    case 'Double':
      return keyOf((value as { value: number }).value);
    case 'Long': {
      const s = (value as Long).toString();
      return `n${s}`;
    }
    case 'Decimal128': {
      const x = exactOf(value as Decimal128);
      if (x.kind !== 'finite')
        return x.kind === 'nan' ? 'nNaN' : x.kind === 'inf' ? 'nInfinity' : 'n-Infinity';
      let { mantissa, exponent } = x;
      if (mantissa === 0n) return 'n0';
      while (mantissa % 10n === 0n) {
        mantissa /= 10n;
        exponent += 1;
      }
      if (exponent >= 0) return `n${mantissa * 10n ** BigInt(exponent)}`;
      // Share the double's key only when the decimal is exactly that double (0.5, not 0.1).
      const asNumber = Number(`${mantissa}e${exponent}`);
      const same = compareExact(exactOf(asNumber), { kind: 'finite', mantissa, exponent }) === 0;
      return same ? `n${asNumber}` : `n${mantissa}e${exponent}`;
    }
    case 'Binary': {
      const b = value as Binary;
      return `x${b.sub_type}:${Buffer.from(b.buffer.subarray(0, b.position)).toString('base64')}`;
    }
    case 'Timestamp':
      return `t${(value as Timestamp).toString()}`;
    case 'MinKey':
      return 'min';
    case 'MaxKey':
      return 'max';
  }
  if (isPlainObject(value)) {
    return `{${Object.entries(value as Document)
      .map(([k, v]) => `${JSON.stringify(k)}:${keyOf(v)}`)
      .join(',')}}`;
  }
  return `?${String(value)}`;
}
