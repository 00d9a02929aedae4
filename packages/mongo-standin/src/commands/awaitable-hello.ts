import type { Long, ObjectId } from 'bson';
import {
  bsonTypeName,
  bsonTypeOf,
  type Document,
  isNumeric,
  toNumber,
} from '../data/bson-values.js';
import {
  fieldWrongType,
  MongoCommandError,
  missingField,
  typeMismatch,
  unknownField,
} from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';
import type { CommandRequest } from './context.js';

/** The arguments of an awaitable hello: the topology the client last saw, and how long to wait. */
export interface AwaitableHello {
  processId: ObjectId;
  counter: Long;
  maxAwaitTimeMS: number;
}

/**
 * Reads an awaitable hello's `topologyVersion` and `maxAwaitTimeMS` as mongod 7.0 does (its IDL
 * parser, then the hello command's own checks), with mongod's codes: undefined for a plain
 * hello, an error for arguments mongod refuses.
 */
export function awaitableHello(request: CommandRequest): AwaitableHello | undefined {
  const { body, name } = request;
  const topologyVersion =
    body.topologyVersion === undefined
      ? undefined
      : parseTopologyVersion(name, body.topologyVersion);
  const maxAwaitTimeMS =
    body.maxAwaitTimeMS === undefined ? undefined : parseMaxAwaitTimeMS(name, body.maxAwaitTimeMS);
  if (topologyVersion && maxAwaitTimeMS !== undefined) {
    if (topologyVersion.counter.isNegative()) {
      throw new MongoCommandError(
        31372,
        'topologyVersion must have a non-negative counter',
        'Location31372',
      );
    }
    return { ...topologyVersion, maxAwaitTimeMS };
  }
  if (topologyVersion || maxAwaitTimeMS !== undefined) {
    throw new MongoCommandError(
      31368,
      topologyVersion
        ? "A request with a 'topologyVersion' must include 'maxAwaitTimeMS'"
        : "A request with 'maxAwaitTimeMS' must include a 'topologyVersion'",
      'Location31368',
    );
  }
  return undefined;
}

function parseTopologyVersion(
  command: string,
  value: unknown,
): Omit<AwaitableHello, 'maxAwaitTimeMS'> {
  if (!isPlainObject(value)) {
    throw new MongoCommandError(
      10065,
      'invalid parameter: expected an object (topologyVersion)',
      'Location10065',
    );
  }
  const path = `${command}.topologyVersion`;
  for (const field of Object.keys(value)) {
    if (field !== 'processId' && field !== 'counter') {
      throw unknownField(`${path}.${field}`);
    }
  }
  for (const field of ['processId', 'counter']) {
    if ((value as Document)[field] === undefined) {
      throw missingField(`${path}.${field}`);
    }
  }
  const { processId, counter } = value as Document;
  if (bsonTypeOf(processId) !== 'ObjectId') {
    throw fieldWrongType(`${path}.processId`, processId, 'objectId');
  }
  if (bsonTypeOf(counter) !== 'Long') throw fieldWrongType(`${path}.counter`, counter, 'long');
  return { processId: processId as ObjectId, counter: counter as Long };
}

/** An integral number of any numeric type, never negative (mongod's `safeInt64` with `gte: 0`). */
function parseMaxAwaitTimeMS(command: string, value: unknown): number {
  if (!isNumeric(value)) {
    throw typeMismatch(
      `BSON field '${command}.maxAwaitTimeMS' is the wrong type '${bsonTypeName(value)}', ` +
        "expected types '[long, int, decimal, double]'",
    );
  }
  const wait = Math.trunc(toNumber(value));
  if (!(wait >= 0)) {
    throw new MongoCommandError(
      51024,
      `BSON field 'maxAwaitTimeMS' value must be >= 0, actual value '${wait}'`,
      'Location51024',
    );
  }
  return wait;
}
