import { setTimeout as sleep } from 'node:timers/promises';
import { type Document, isNumeric, toNumber } from '../data/bson-values.js';
import { codeNameOf, isResumableChangeStreamCode } from '../data/error-codes.js';
import { MongoCommandError } from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';
import type { CommandHandler, CommandRequest, ServerState } from './context.js';
import type { Cursor } from './cursors.js';
import { FailPoint } from './fail-point.js';

/**
 * The test-only fail points mongod has with `--setParameter enableTestCommands=1`, which the
 * specifications' unified tests configure: `failCommand` (src/mongo/db/commands.cpp,
 * shouldActivateFailCommandFailPoint / evaluateFailCommandFailPoint, and the writeConcernError
 * branch of service_entry_point_common.cpp) and `failGetMoreAfterCursorCheckout`
 * (src/mongo/db/commands/getmore_cmd.cpp). They exist only when the server was started with
 * test commands enabled (ServerState.failPoints); see the package README.
 */
export class FailPoints {
  readonly failCommand = new FailPoint();
  readonly failGetMoreAfterCursorCheckout = new FailPoint();

  byName(name: string): FailPoint | undefined {
    if (name === 'failCommand') return this.failCommand;
    if (name === 'failGetMoreAfterCursorCheckout') return this.failGetMoreAfterCursorCheckout;
    return undefined;
  }
}

/** What failCommand did to a command before it ran. */
export interface InjectedFailure {
  /** The error to answer instead of running the command (absent: run it, after any block). */
  error?: MongoCommandError;
  /** `data.errorLabels`: replaces the labels mongod would compute for the reply. */
  errorLabels?: string[];
}

const FAILPOINT_MESSAGE = "Failing command via 'failCommand' failpoint";

/** `configureFailPoint` (admin only): `{count: timesEntered, ok: 1}`, as mongod answers. */
export const configureFailPoint: CommandHandler = (state, request) => {
  if (request.db !== 'admin') {
    throw new MongoCommandError(
      13,
      'configureFailPoint may only be run against the admin database.',
      'Unauthorized',
    );
  }
  const name = String(request.body.configureFailPoint);
  const point = state.failPoints?.byName(name);
  if (!point) {
    // mongod has hundreds of fail points; the stand-in has these two, and says so.
    throw new MongoCommandError(266, `${name} not found`, 'FailPointSetFailed');
  }
  return { count: point.configure(request.body), ok: 1 };
};

/**
 * failCommand before a command runs: blocks it (an async wait: other connections go on),
 * closes its connection without an answer, or fails it with `errorCode`. It fires only for a
 * command the data names and only if one of those three is asked for; the configureFailPoint
 * command itself is never affected.
 */
export async function failCommandBefore(
  state: ServerState,
  request: CommandRequest,
): Promise<InjectedFailure | undefined> {
  const data = state.failPoints?.failCommand.enter(
    (d) =>
      appliesTo(d, request) &&
      (flag(d.closeConnection) || flag(d.blockConnection) || isNumeric(d.errorCode)),
  );
  if (!data) return undefined;
  const injected: InjectedFailure = {};
  if (Array.isArray(data.errorLabels)) injected.errorLabels = data.errorLabels.map(String);
  if (flag(data.blockConnection)) {
    const blockTimeMS = data.blockTimeMS;
    if (!isNumeric(blockTimeMS) || !Number.isInteger(toNumber(blockTimeMS))) {
      injected.error = new MongoCommandError(
        72,
        "must specify 'blockTimeMS' when 'blockConnection' is true",
        'InvalidOptions',
      );
      return injected;
    }
    if (toNumber(blockTimeMS) < 0) {
      injected.error = new MongoCommandError(
        72,
        "'blockTimeMS' must be non-negative",
        'InvalidOptions',
      );
      return injected;
    }
    await sleep(toNumber(blockTimeMS));
  }
  if (flag(data.closeConnection)) {
    request.connection?.close();
    injected.error = new MongoCommandError(50985, FAILPOINT_MESSAGE, 'Location50985');
    return injected;
  }
  const code = isNumeric(data.errorCode) ? toNumber(data.errorCode) : 0;
  // errorCode 0 is OK: mongod's uassertStatusOK lets it through, and the command runs.
  if (code !== 0) {
    const extraInfo = isPlainObject(data.errorExtraInfo) ? data.errorExtraInfo : {};
    injected.error = new MongoCommandError(code, FAILPOINT_MESSAGE, codeNameOf(code), extraInfo);
  }
  return injected;
}

/**
 * failCommand's `writeConcernError`: the command ran (and its write stays applied), and the
 * reply carries the given writeConcernError, for commands that take a write concern.
 */
export function failCommandWriteConcern(
  state: ServerState,
  request: CommandRequest,
): { writeConcernError: unknown; errorLabels?: string[] } | undefined {
  const data = state.failPoints?.failCommand.enter(
    (d) => appliesTo(d, request) && d.writeConcernError !== undefined,
  );
  if (!data) return undefined;
  return {
    writeConcernError: data.writeConcernError,
    ...(Array.isArray(data.errorLabels) ? { errorLabels: data.errorLabels.map(String) } : {}),
  };
}

/**
 * failGetMoreAfterCursorCheckout: a getMore fails once its cursor is found, with `errorCode`
 * (default 1 InternalError), and the cursor is destroyed, as any failed getMore's is. Unlike
 * failCommand, the cursor is known here, so a change stream's getMore gets mongod's
 * ResumableChangeStreamError label for a resumable code.
 */
export function failGetMoreAfterCheckout(
  state: ServerState,
  request: CommandRequest,
  cursor: Cursor,
): void {
  const data = state.failPoints?.failGetMoreAfterCursorCheckout.enter((d) =>
    appliesTo({ ...d, failCommands: ['getMore'] }, request),
  );
  if (!data) return;
  state.cursors.close(request.body.getMore);
  const code = isNumeric(data.errorCode) ? toNumber(data.errorCode) : 1;
  const resumable = cursor.kind === 'changeStream' && isResumableChangeStreamCode(code);
  throw new MongoCommandError(
    code,
    "Hit the 'failGetMoreAfterCursorCheckout' failpoint",
    codeNameOf(code),
    resumable ? { errorLabels: ['ResumableChangeStreamError'] } : {},
  );
}

/** mongod's shouldActivateFailCommandFailPoint for a client (never an internal) connection. */
function appliesTo(data: Document, request: CommandRequest): boolean {
  if (request.name === 'configureFailPoint') return false;
  const connection = request.connection;
  if (data.threadName !== undefined && data.threadName !== `conn${request.connectionId}`) {
    return false;
  }
  if (data.appName !== undefined && data.appName !== (connection?.appName ?? '')) return false;
  if (data.namespace !== undefined && data.namespace !== namespaceOf(request)) return false;
  if (data.failAllCommands !== undefined) return true;
  if (!Array.isArray(data.failCommands)) return false;
  const name = canonicalName(request.name);
  return data.failCommands.some((c) => typeof c === 'string' && canonicalName(c) === name);
}

/** The second spellings mongod registers as aliases of one command. */
const ALIASES: Record<string, string> = {
  ismaster: 'isMaster',
  findandmodify: 'findAndModify',
  buildinfo: 'buildInfo',
  deleteIndexes: 'dropIndexes',
};

const canonicalName = (name: string) => ALIASES[name] ?? name;

/** The command's namespace as mongod's invocation names it (what `data.namespace` matches). */
function namespaceOf(request: CommandRequest): string {
  const { db, name, body } = request;
  if (name === 'getMore') return `${db}.${String(body.collection)}`;
  const target = body[name];
  if (typeof target === 'string') return `${db}.${target}`;
  if (name === 'aggregate') return `${db}.$cmd.aggregate`;
  return db;
}

/** A boolean field as bsonExtractBooleanField reads it: true, or a non-zero number. */
function flag(value: unknown): boolean {
  return value === true || (isNumeric(value) && toNumber(value) !== 0);
}
