import type { Position } from '@eventstore/db-client';
import { Long } from 'mongodb';

/** Positions are compared by their commit part, as EventStoreDB orders $all. */
export function toLong(value: bigint): Long {
  return Long.fromBigInt(value);
}

export function fromLong(value: Long | number | bigint): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  return value.toBigInt();
}

export function positionFromDocument(doc: { commit: Long; prepare: Long }): Position {
  return { commit: fromLong(doc.commit), prepare: fromLong(doc.prepare) };
}
