import type { Binary, Decimal128, Long, ObjectId, Timestamp } from 'bson';
import { bsonTypeOf, type Document, toNumber } from './bson-values.js';

/**
 * MongoDB's comparison/sort order ("Comparison/Sort Order" in the manual). Written by hand because
 * mingo compares only same-typed JS values: it cannot order Int64 beyond 2^53, Decimal128, or a
 * Double wrapper against an integer.
 */
export function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 2;
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
  }
  if (Array.isArray(value)) return 6;
  if (value instanceof Date) return 10;
  if (value instanceof RegExp) return 12;
  if (ArrayBuffer.isView(value)) return 7;
  switch (bsonTypeOf(value)) {
    case 'MinKey':
      return 1;
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'MaxKey':
      return 13;
    default:
      return 5;
  }
}

/** An exact rational-free decimal: value = mantissa * 10^exponent; or a special value. */
export type Exact =
  | { kind: 'finite'; mantissa: bigint; exponent: number }
  | { kind: 'nan' | 'inf' | '-inf' };

function exactFromString(text: string): Exact {
  const s = text.trim();
  if (/^-?nan$/i.test(s)) return { kind: 'nan' };
  if (/^\+?inf(inity)?$/i.test(s)) return { kind: 'inf' };
  if (/^-inf(inity)?$/i.test(s)) return { kind: '-inf' };
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return { kind: 'nan' };
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  const digits = `${intPart}${frac}` || '0';
  const mantissa = BigInt(digits) * (m[1] === '-' ? -1n : 1n);
  return { kind: 'finite', mantissa, exponent: Number(m[4] ?? 0) - frac.length };
}

/**
 * The exact value of a non-integer double, m * 2^e with e < 0, written as (m * 5^-e) * 10^e.
 * So Decimal128("0.1") differs from the double 0.1 (0.1000000000000000055...) as in MongoDB,
 * while Decimal128("0.5") equals 0.5.
 */
function exactOfFraction(value: number): Exact {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const significand = biased === 0 ? fraction : fraction | (1n << 52n);
  const twoExponent = (biased === 0 ? 1 : biased) - 1075; // value = significand * 2^twoExponent
  const k = -twoExponent; // > 0 for every non-integer
  const mantissa = significand * 5n ** BigInt(k);
  return { kind: 'finite', mantissa: negative ? -mantissa : mantissa, exponent: -k };
}

export function exactOf(value: unknown): Exact {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { kind: 'nan' };
    if (value === Number.POSITIVE_INFINITY) return { kind: 'inf' };
    if (value === Number.NEGATIVE_INFINITY) return { kind: '-inf' };
    if (Number.isInteger(value)) return { kind: 'finite', mantissa: BigInt(value), exponent: 0 };
    return exactOfFraction(value);
  }
  if (typeof value === 'bigint') return { kind: 'finite', mantissa: value, exponent: 0 };
  const t = bsonTypeOf(value);
  if (t === 'Long')
    return { kind: 'finite', mantissa: BigInt((value as Long).toString()), exponent: 0 };
  if (t === 'Decimal128') return exactFromString((value as Decimal128).toString());
  return exactOf(toNumber(value));
}

export function compareExact(a: Exact, b: Exact): number {
  const rank = (x: Exact) =>
    x.kind === 'nan' ? 0 : x.kind === '-inf' ? 1 : x.kind === 'inf' ? 3 : 2;
  if (a.kind !== 'finite' || b.kind !== 'finite') return Math.sign(rank(a) - rank(b));
  const e = Math.min(a.exponent, b.exponent);
  const ma = a.mantissa * 10n ** BigInt(a.exponent - e);
  const mb = b.mantissa * 10n ** BigInt(b.exponent - e);
  return ma < mb ? -1 : ma > mb ? 1 : 0;
}

function isSafeNumber(value: unknown): value is number {
  return typeof value === 'number' && (!Number.isInteger(value) || Number.isSafeInteger(value));
}

export function compareNumbers(a: unknown, b: unknown): number {
  // Fast path: both plain JS numbers, or both convertible without loss.
  const ta = bsonTypeOf(a);
  const tb = bsonTypeOf(b);
  const na = ta === 'Double' || ta === 'Int32' ? toNumber(a) : a;
  const nb = tb === 'Double' || tb === 'Int32' ? toNumber(b) : b;
  if (isSafeNumber(na) && isSafeNumber(nb)) {
    if (Number.isNaN(na)) return Number.isNaN(nb) ? 0 : -1; // NaN sorts below all numbers
    if (Number.isNaN(nb)) return 1;
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  return compareExact(exactOf(na), exactOf(nb));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
}

function compareStrings(a: string, b: string): number {
  // MongoDB compares strings by their UTF-8 bytes (simple binary collation). JS compares UTF-16
  // code units, which agrees except where a surrogate (a code point beyond the BMP) meets a
  // unit from U+E000 to U+FFFF: only when the first difference is there, compare the bytes.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length < b.length ? -1 : 1;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if (x < 0xd800 || y < 0xd800) return x < y ? -1 : 1;
  return compareBytes(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')) < 0 ? -1 : 1;
}

/** Total order over BSON values, as used by sort, range predicates and indexes. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 1:
    case 2:
    case 13:
      return 0;
    case 3:
      return compareNumbers(a, b);
    case 4:
      return compareStrings(String(a), String(b));
    case 5:
      return compareDocuments(a as Document, b as Document);
    case 6: {
      const xa = a as unknown[];
      const xb = b as unknown[];
      const n = Math.min(xa.length, xb.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(xa[i], xb[i]);
        if (c) return c;
      }
      return Math.sign(xa.length - xb.length);
    }
    case 7: {
      const ba = bytesOf(a);
      const bb = bytesOf(b);
      if (ba.bytes.length !== bb.bytes.length) return ba.bytes.length < bb.bytes.length ? -1 : 1;
      if (ba.subtype !== bb.subtype) return ba.subtype < bb.subtype ? -1 : 1;
      return Math.sign(compareBytes(ba.bytes, bb.bytes));
    }
    case 8:
      return Math.sign(compareBytes((a as ObjectId).id, (b as ObjectId).id));
    case 9:
      return a === b ? 0 : a ? 1 : -1;
    case 10:
      return Math.sign((a as Date).getTime() - (b as Date).getTime());
    case 11: {
      const c = (a as Timestamp).t - (b as Timestamp).t;
      return Math.sign(c || (a as Timestamp).i - (b as Timestamp).i);
    }
    default:
      return compareStrings(String(a), String(b));
  }
}

function bytesOf(value: unknown): { subtype: number; bytes: Uint8Array } {
  if (ArrayBuffer.isView(value)) {
    return { subtype: 0, bytes: new Uint8Array(value.buffer, value.byteOffset, value.byteLength) };
  }
  const bin = value as Binary;
  return { subtype: bin.sub_type, bytes: bin.buffer.subarray(0, bin.position) };
}

function compareDocuments(a: Document, b: Document): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const va = a[ka[i]!];
    const vb = b[kb[i]!];
    const r = typeRank(va) - typeRank(vb);
    if (r) return Math.sign(r);
    const k = compareStrings(ka[i]!, kb[i]!);
    if (k) return k;
    const v = compareValues(va, vb);
    if (v) return v;
  }
  return Math.sign(ka.length - kb.length);
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}
