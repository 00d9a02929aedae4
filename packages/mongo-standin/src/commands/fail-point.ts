import { type Document, isNumeric, toNumber } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';

type Mode =
  | { kind: 'off' }
  | { kind: 'alwaysOn' }
  | { kind: 'times'; left: number }
  | { kind: 'skip'; left: number }
  | { kind: 'random'; probability: number };

const INT32_MAX = 2147483647;

/**
 * One fail point, as mongod's FailPoint (src/mongo/util/fail_point.cpp): a mode, the data the
 * test gave, and how many times it fired. A command the point does not apply to (the predicate
 * says no) neither fires nor uses up a `{times: n}` or `{skip: n}`.
 */
export class FailPoint {
  private mode: Mode = { kind: 'off' };
  private data: Document = {};
  private timesEntered = 0;

  /** Sets mode and data from configureFailPoint's body; returns the times entered so far. */
  configure(body: Document): number {
    const mode = parseMode(body.mode);
    if (body.data !== undefined && !isPlainObject(body.data)) {
      throw new MongoCommandError(14, "the 'data' option must be a JSON object", 'TypeMismatch');
    }
    this.mode = mode;
    this.data = isPlainObject(body.data) ? body.data : {};
    return this.timesEntered;
  }

  /** The data when the point fires for a command `applies` accepts, else undefined. */
  enter(applies: (data: Document) => boolean): Document | undefined {
    const mode = this.mode;
    if (mode.kind === 'off' || !applies(this.data)) return undefined;
    let fires: boolean;
    switch (mode.kind) {
      case 'alwaysOn':
        fires = true;
        break;
      case 'random':
        fires = Math.random() < mode.probability;
        break;
      case 'times':
        // As mongod: the count drops before the test, so {times: 0} still fires once.
        mode.left -= 1;
        if (mode.left <= 0) this.mode = { kind: 'off' };
        fires = true;
        break;
      case 'skip':
        fires = mode.left <= 0 || --mode.left < 0;
        break;
    }
    if (fires) this.timesEntered++;
    return fires ? this.data : undefined;
  }
}

/** mongod's FailPoint::parseBSON, with its codes and messages. */
function parseMode(value: unknown): Mode {
  if (value === undefined) {
    throw new MongoCommandError(
      20,
      "When setting a failpoint, you must supply a 'mode'",
      'IllegalOperation',
    );
  }
  if (typeof value === 'string') {
    if (value === 'off') return { kind: 'off' };
    if (value === 'alwaysOn') return { kind: 'alwaysOn' };
    throw new MongoCommandError(2, `unknown mode: ${value}`, 'BadValue');
  }
  if (!isPlainObject(value)) {
    throw new MongoCommandError(14, "'mode' must be a string or JSON object", 'TypeMismatch');
  }
  for (const kind of ['times', 'skip'] as const) {
    if (!(kind in value)) continue;
    const n = value[kind];
    if (!isNumeric(n) || !Number.isInteger(toNumber(n))) {
      throw new MongoCommandError(
        14,
        `Expected field "${kind}" to have a numeric type, but found ${typeof n}`,
        'TypeMismatch',
      );
    }
    const left = toNumber(n);
    if (left < 0) {
      throw new MongoCommandError(2, `'${kind}' option to 'mode' must be positive`, 'BadValue');
    }
    if (left > INT32_MAX) {
      throw new MongoCommandError(2, `'${kind}' option to 'mode' is too large`, 'BadValue');
    }
    return { kind, left };
  }
  if ('activationProbability' in value) {
    const p = value.activationProbability;
    if (!isNumeric(p)) {
      throw new MongoCommandError(
        14,
        "the 'activationProbability' option to 'mode' must be a double between 0 and 1",
        'TypeMismatch',
      );
    }
    const probability = toNumber(p);
    if (!(probability >= 0 && probability <= 1)) {
      throw new MongoCommandError(
        2,
        `activationProbability must be between 0.0 and 1.0; found ${probability}`,
        'BadValue',
      );
    }
    return { kind: 'random', probability };
  }
  throw new MongoCommandError(
    2,
    "'mode' must be one of 'off', 'alwaysOn', '{times:n}', '{skip:n}' or '{activationProbability:p}'",
    'BadValue',
  );
}
