import type { Timestamp } from 'bson';
import { bsonTypeName, bsonTypeOf, type Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';
import type { ServerState } from './context.js';

/**
 * `readConcern`, checked as mongod checks it (repl/read_concern_args.cpp, then each command's
 * supportsReadConcern). On this single node a write is applied at once and acknowledged once
 * durable. "local" and "available" read what is applied. "majority", "linearizable" and
 * "snapshot" must not return a write a crash could still undo: with a data directory the reply
 * waits until everything it may have read is on disk (dispatch.ts, readsOnlyCommitted), as
 * mongod's speculative majority reads wait for what they read to commit. "snapshot" reads the
 * current data at the current cluster time; an older `atClusterTime` needs a history the
 * stand-in does not keep and is refused as mongod refuses a snapshot it no longer has.
 */
const LEVELS = ['local', 'majority', 'linearizable', 'available', 'snapshot'] as const;
type Level = (typeof LEVELS)[number];

/** Outside transactions: the reads that take every level, and count, which takes all but snapshot. */
const ALL_LEVELS = new Set<Level>(LEVELS);
const SUPPORTED: Record<string, Set<Level>> = {
  find: ALL_LEVELS,
  aggregate: ALL_LEVELS,
  distinct: ALL_LEVELS,
  count: new Set<Level>(['local', 'majority', 'linearizable', 'available']),
  // explain takes the explained command's read concern.
  explain: ALL_LEVELS,
};
/** Any other command takes only the default level, as mongod's Command::supportsReadConcern. */
const LOCAL_ONLY = new Set<Level>(['local']);

const invalidOptions = (message: string) => new MongoCommandError(72, message, 'InvalidOptions');

const isTimestamp = (value: unknown): value is Timestamp => bsonTypeOf(value) === 'Timestamp';

function wrongType(field: string, expected: string, value: unknown): MongoCommandError {
  return new MongoCommandError(
    14,
    `"${field}" had the wrong type. Expected ${expected}, found ${bsonTypeName(value)}`,
    'TypeMismatch',
  );
}

/** mongod's shell-like rendering of the read concern, for the "does not support" message. */
function describe(readConcern: Document): string {
  const parts = Object.entries(readConcern).map(([key, value]) => {
    const shown = isTimestamp(value) ? `Timestamp(${value.t}, ${value.i})` : JSON.stringify(value);
    return `${key}: ${shown}`;
  });
  return `{ readConcern: { ${parts.join(', ')} } }`;
}

/** Parses and checks `readConcern` before the command runs; throws mongod's error. */
export function checkReadConcern(name: string, body: Document): void {
  const readConcern = body.readConcern;
  if (readConcern === undefined) return;
  if (!isPlainObject(readConcern)) {
    throw new MongoCommandError(9, 'readConcern field should be an object', 'FailedToParse');
  }
  let level: Level = 'local';
  for (const [field, value] of Object.entries(readConcern)) {
    switch (field) {
      case 'level':
        if (typeof value !== 'string') throw wrongType('level', 'string', value);
        if (!(LEVELS as readonly string[]).includes(value)) {
          throw new MongoCommandError(
            9,
            "readConcern.level must be either 'local', 'majority', 'linearizable', 'available', or 'snapshot'",
            'FailedToParse',
          );
        }
        level = value as Level;
        break;
      case 'afterClusterTime':
      case 'atClusterTime':
        if (!isTimestamp(value)) throw wrongType(field, 'timestamp', value);
        break;
      case 'afterOpTime':
      case 'provenance':
        break;
      default:
        throw invalidOptions(`Unrecognized option in readConcern: ${field}`);
    }
  }
  const after = readConcern.afterClusterTime as Timestamp | undefined;
  const at = readConcern.atClusterTime as Timestamp | undefined;
  if (after && at) {
    throw invalidOptions(
      'Specifying a timestamp for readConcern snapshot in a causally consistent session is not allowed. See https://docs.mongodb.com/manual/core/read-isolation-consistency-recency/#causal-consistency',
    );
  }
  if (after && level !== 'majority' && level !== 'local' && level !== 'snapshot') {
    throw invalidOptions(
      'afterClusterTime field can be set only if level is equal to majority, local, or snapshot',
    );
  }
  if (at && level !== 'snapshot') {
    throw invalidOptions('atClusterTime field can be set only if level is equal to snapshot');
  }
  if (at?.isZero()) throw invalidOptions('atClusterTime cannot be a null timestamp');
  if (after?.isZero()) throw invalidOptions('afterClusterTime cannot be a null timestamp');
  const supported = SUPPORTED[name] ?? LOCAL_ONLY;
  if (!supported.has(level)) {
    throw invalidOptions(
      `Command ${name} does not support ${describe(readConcern)} :: caused by :: read concern not supported`,
    );
  }
}

const showTime = (time: Timestamp) => `Timestamp(${time.t}, ${time.i})`;

/**
 * The read's point in time, checked against the cluster clock (whose time is that of the last
 * write): `afterClusterTime` and `atClusterTime` may not be ahead of it, as mongod answers; an
 * `atClusterTime` behind it would need data the stand-in has overwritten. Returns the
 * `atClusterTime` a snapshot read reports (mongod's `cursor.atClusterTime`, or `atClusterTime`
 * on distinct), which the driver sends back on the snapshot session's next reads.
 */
export function readTime(state: ServerState, body: Document): Timestamp | undefined {
  const readConcern = body.readConcern;
  if (!isPlainObject(readConcern)) return undefined;
  const now = state.clock.now();
  for (const field of ['afterClusterTime', 'atClusterTime'] as const) {
    const time = readConcern[field];
    if (isTimestamp(time) && time.greaterThan(now)) {
      throw invalidOptions(
        `readConcern ${field} value must not be greater than the current clusterTime. Requested clusterTime: ${showTime(time)}; current clusterTime: ${showTime(now)}`,
      );
    }
  }
  if (readConcern.level !== 'snapshot') return undefined;
  const at = readConcern.atClusterTime;
  if (isTimestamp(at) && at.lessThan(now)) {
    throw new MongoCommandError(
      239,
      `Read timestamp ${showTime(at)} is older than the oldest available timestamp. (the Tally embedded MongoDB stand-in keeps no history: a snapshot read can only be at the time of the last write, ${showTime(now)})`,
      'SnapshotTooOld',
    );
  }
  return isTimestamp(at) ? at : now;
}

/** Levels whose reads return only majority-committed (here: durable) data. */
const COMMITTED_LEVELS = new Set(['majority', 'linearizable', 'snapshot']);

/** Whether the command's answer must hold only durable writes (see the comment above). */
export function readsOnlyCommitted(name: string, body: Document): boolean {
  if (!(name in SUPPORTED) || !isPlainObject(body.readConcern)) return false;
  return COMMITTED_LEVELS.has(String(body.readConcern.level));
}
