import { bsonTypeOf, Decimal128, Double, isInt32Range, Long, toNumber } from './bson-values.js';
import { type Exact, exactOf } from './compare.js';

/**
 * $inc/$mul keep MongoDB's result types (int+int=int, overflowing to long; long with int=long;
 * anything with double=double; anything with decimal=decimal). Hand-written because mingo's
 * operators work on JS numbers and would turn an Int64 or a Decimal128 into a double.
 */
type Kind = 'int' | 'long' | 'double' | 'decimal';

export function numericKind(value: unknown): Kind | undefined {
  if (typeof value === 'number')
    return isInt32Range(value) && !Object.is(value, -0) ? 'int' : 'double';
  switch (bsonTypeOf(value)) {
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    default:
      return undefined;
  }
}

const RANK: Record<Kind, number> = { int: 0, long: 1, double: 2, decimal: 3 };

export function asDouble(n: number): unknown {
  return isInt32Range(n) && !Object.is(n, -0) ? new Double(n) : n;
}

function exactToString(x: Exact): string {
  if (x.kind !== 'finite')
    return x.kind === 'nan' ? 'NaN' : x.kind === 'inf' ? 'Infinity' : '-Infinity';
  const neg = x.mantissa < 0n;
  let digits = (neg ? -x.mantissa : x.mantissa).toString();
  if (x.exponent >= 0) return (neg ? '-' : '') + digits + '0'.repeat(x.exponent);
  const point = digits.length + x.exponent;
  if (point <= 0) digits = '0'.repeat(1 - point) + digits;
  const at = digits.length + x.exponent;
  return `${neg ? '-' : ''}${digits.slice(0, at)}.${digits.slice(at)}`;
}

function decimalOp(a: unknown, b: unknown, op: 'add' | 'mul'): Decimal128 {
  const x = exactOf(a);
  const y = exactOf(b);
  if (x.kind !== 'finite' || y.kind !== 'finite') {
    return Decimal128.fromString(
      String(op === 'add' ? toNumber(a) + toNumber(b) : toNumber(a) * toNumber(b)),
    );
  }
  if (op === 'mul') {
    return Decimal128.fromString(
      exactToString({
        kind: 'finite',
        mantissa: x.mantissa * y.mantissa,
        exponent: x.exponent + y.exponent,
      }),
    );
  }
  const e = Math.min(x.exponent, y.exponent);
  const mantissa =
    x.mantissa * 10n ** BigInt(x.exponent - e) + y.mantissa * 10n ** BigInt(y.exponent - e);
  return Decimal128.fromString(exactToString({ kind: 'finite', mantissa, exponent: e }));
}

function toBigInt(v: unknown): bigint {
  return bsonTypeOf(v) === 'Long' ? BigInt((v as Long).toString()) : BigInt(toNumber(v));
}

function longResult(n: bigint): Long {
  return Long.fromBigInt(BigInt.asIntN(64, n));
}

export function arithmetic(a: unknown, b: unknown, op: 'add' | 'mul'): unknown {
  const ka = numericKind(a)!;
  const kb = numericKind(b)!;
  const kind = RANK[ka] >= RANK[kb] ? ka : kb;
  switch (kind) {
    case 'decimal':
      return decimalOp(a, b, op);
    case 'double':
      return asDouble(op === 'add' ? toNumber(a) + toNumber(b) : toNumber(a) * toNumber(b));
    case 'long': {
      const r = op === 'add' ? toBigInt(a) + toBigInt(b) : toBigInt(a) * toBigInt(b);
      return longResult(r);
    }
    default: {
      const r = op === 'add' ? toNumber(a) + toNumber(b) : toNumber(a) * toNumber(b);
      return isInt32Range(r) ? r : longResult(BigInt(r));
    }
  }
}
