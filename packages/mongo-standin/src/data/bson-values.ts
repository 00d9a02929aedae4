import { Decimal128, type Document, Double, deserialize, Long, serialize } from 'bson';

export type { Document };

/**
 * Decodes BSON into the in-memory form every other module works with.
 *
 * Why not the `bson` defaults: default promotion turns Double 2.0 into an integer (re-encoded as
 * Int32) and Int64 above 2^53 into an imprecise number. Decoding with `promoteValues: false`
 * and then promoting only what round-trips exactly keeps every type intact:
 * - Int32 -> JS number (an integer in int32 range re-encodes as Int32);
 * - Double -> JS number, unless it is an integer in int32 range (would re-encode as Int32), then
 *   it stays a `Double` wrapper;
 * - Int64 stays `Long`, Decimal128 stays `Decimal128`.
 * Wrapped numbers are compared by value in ./compare.ts.
 */
export function decodeDocument(bytes: Uint8Array): Document {
  const raw = deserialize(bytes, { promoteValues: false, validation: { utf8: true } });
  return normalizeDocument(raw);
}

export function encodeDocument(doc: Document): Buffer {
  return serialize(doc, { checkKeys: false, ignoreUndefined: true }) as Buffer;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function isInt32Range(n: number): boolean {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX;
}

function normalizeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normalizeValue(value[i]);
    return value;
  }
  const type = (value as { _bsontype?: string })._bsontype;
  if (type === 'Int32') return (value as { value: number }).value;
  if (type === 'Double') {
    const n = (value as Double).value;
    return isInt32Range(n) && !Object.is(n, -0) ? value : n;
  }
  if (type !== undefined) return value;
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value;
  return normalizeDocument(value as Document);
}

function normalizeDocument(doc: Document): Document {
  for (const key of Object.keys(doc)) doc[key] = normalizeValue(doc[key]);
  return doc;
}

/** A deep copy that keeps BSON wrappers (they are immutable, so sharing them is safe). */
export function cloneValue<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if ((value as { _bsontype?: string })._bsontype !== undefined) return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (value instanceof RegExp || ArrayBuffer.isView(value)) return value;
  const out: Document = {};
  for (const [k, v] of Object.entries(value as Document)) out[k] = cloneValue(v);
  return out as T;
}

export function bsonTypeOf(value: unknown): string | undefined {
  return value !== null && typeof value === 'object'
    ? (value as { _bsontype?: string })._bsontype
    : undefined;
}

/** A value's BSON type as mongod names it in error messages ('int', 'bool', 'timestamp', …). */
export function bsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  if (typeof value !== 'object') return typeof value;
  return bsonTypeOf(value)?.toLowerCase() ?? 'object';
}

export function isNumeric(value: unknown): boolean {
  if (typeof value === 'number') return true;
  const t = bsonTypeOf(value);
  return t === 'Double' || t === 'Long' || t === 'Decimal128' || t === 'Int32';
}

/** A numeric value as a JS number (lossy for Long beyond 2^53 and for Decimal128). */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  const t = bsonTypeOf(value);
  if (t === 'Double' || t === 'Int32') return (value as Double).value;
  if (t === 'Long') return (value as Long).toNumber();
  if (t === 'Decimal128') return Number((value as Decimal128).toString());
  return Number.NaN;
}

export { Decimal128, Double, Long };
