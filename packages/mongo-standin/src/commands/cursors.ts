import { Long } from 'bson';
import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';

/** A query cursor: its remaining results, already filtered, sorted and projected. */
export interface QueryCursor {
  kind: 'query';
  ns: string;
  pending: Document[];
  position: number;
}

/** A change stream cursor, advanced by reading the change log after `afterSeq`. */
export interface ChangeStreamCursor {
  kind: 'changeStream';
  ns: string;
  db: string;
  coll: string | undefined;
  afterSeq: number;
  fullDocument: string;
  pipeline: Document[];
  invalidated: boolean;
  /** Set by startAfter on an invalidate event: start past it and ignore that invalidation. */
  busy: boolean;
}

export type Cursor = QueryCursor | ChangeStreamCursor;

/** Open cursors by id. Ids are random positive Int64s, as mongod's are. */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000; // mongod's cursorTimeoutMillis default

export class CursorRegistry {
  private readonly cursors = new Map<bigint, Cursor>();
  private readonly lastUsed = new Map<bigint, number>();
  /** Closes cursors a client abandoned without killCursors, as mongod does after 10 minutes. */
  private readonly sweeper = setInterval(() => this.sweep(), 60_000).unref();

  private sweep(now = Date.now()): void {
    for (const [id, used] of this.lastUsed) {
      if (now - used > IDLE_TIMEOUT_MS) {
        this.cursors.delete(id);
        this.lastUsed.delete(id);
      }
    }
  }

  open(cursor: Cursor): Long {
    let id: bigint;
    do {
      id = BigInt(Math.floor(Math.random() * 2 ** 52)) + 1n;
    } while (this.cursors.has(id));
    this.cursors.set(id, cursor);
    this.lastUsed.set(id, Date.now());
    return Long.fromBigInt(id);
  }

  get(id: unknown, ns: string): Cursor {
    const key = toCursorId(id);
    const cursor = this.cursors.get(key);
    if (!cursor) throw new MongoCommandError(43, `cursor id ${key} not found`, 'CursorNotFound');
    this.lastUsed.set(key, Date.now());
    if (cursor.ns !== ns) {
      throw new MongoCommandError(
        13,
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`,
        'Unauthorized',
      );
    }
    return cursor;
  }

  close(id: unknown): boolean {
    const key = toCursorId(id);
    this.lastUsed.delete(key);
    return this.cursors.delete(key);
  }

  has(id: unknown): boolean {
    return this.cursors.has(toCursorId(id));
  }

  clear(): void {
    clearInterval(this.sweeper);
    this.cursors.clear();
    this.lastUsed.clear();
  }
}

export function toCursorId(id: unknown): bigint {
  if (typeof id === 'number') return BigInt(id);
  if (typeof id === 'bigint') return id;
  if (
    id !== null &&
    typeof id === 'object' &&
    (id as { _bsontype?: string })._bsontype === 'Long'
  ) {
    return BigInt((id as Long).toString());
  }
  throw new MongoCommandError(14, 'cursor id must be a long', 'TypeMismatch');
}
