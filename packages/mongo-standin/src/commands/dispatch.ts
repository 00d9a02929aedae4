import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import type { Durability } from '../storage/durability.js';
import {
  connectionStatus,
  dbStats,
  getParameter,
  hostInfo,
  replSetGetStatus,
  serverStatus,
  whatsmyuri,
} from './admin.js';
import { collMod } from './coll-mod.js';
import type { CommandHandler, CommandRequest, ServerState } from './context.js';
import {
  collStats,
  create,
  createIndexes,
  drop,
  dropDatabase,
  dropIndexes,
  listCollections,
  listDatabases,
  listIndexes,
  renameCollection,
} from './ddl.js';
import { withErrorLabels } from './error-labels.js';
import {
  configureFailPoint,
  failCommandBefore,
  failCommandWriteConcern,
  type InjectedFailure,
} from './fail-points.js';
import { buildInfo, hello, ok } from './handshake.js';
import { interceptCommand } from './intercept.js';
import { bindLetVariables } from './let-variables.js';
import { aggregate, count, distinct, explain, find, getMore, killCursors } from './read.js';
import { readsOnlyCommitted } from './read-concern.js';
import { RetryableWrites } from './retryable-writes.js';
import { searchIndexCommand } from './search-indexes.js';
import { refuseUnsupported } from './unsupported.js';
import { findAndModify, insert, remove, update } from './write.js';
import { WRITE_COMMANDS, waitsForJournal } from './write-concern.js';

/** Command names are case-sensitive in mongod; a few have a second spelling it also accepts. */
const HANDLERS = new Map<string, CommandHandler>(
  Object.entries({
    hello,
    isMaster: hello,
    ismaster: hello,
    ping: ok,
    buildInfo,
    buildinfo: buildInfo,
    serverStatus,
    replSetGetStatus,
    dbStats,
    connectionStatus,
    whatsmyuri,
    hostInfo,
    getParameter,
    endSessions: ok,
    killSessions: ok,
    // The unified test runner's first command; there are no transactions or ops to kill here.
    killAllSessions: ok,
    refreshSessions: ok,
    listDatabases,
    listCollections,
    create,
    drop,
    dropDatabase,
    renameCollection,
    collMod,
    collStats,
    find,
    getMore,
    killCursors,
    aggregate,
    count,
    distinct,
    insert,
    update,
    delete: remove,
    findAndModify,
    findandmodify: findAndModify,
    explain,
    createIndexes,
    listIndexes,
    dropIndexes,
    deleteIndexes: dropIndexes,
    createSearchIndexes: searchIndexCommand,
    updateSearchIndex: searchIndexCommand,
    dropSearchIndex: searchIndexCommand,
    configureFailPoint,
  }),
);

/** Commands mongod has only with enableTestCommands; otherwise they do not exist (59). */
const TEST_COMMANDS = new Set(['configureFailPoint']);

/** Commands that take a write concern, so failCommand's writeConcernError applies to them. */
const WRITE_CONCERN_COMMANDS = new Set([...WRITE_COMMANDS, 'collMod']);

const RETRYABLE = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);
const TRANSACTION_COMMANDS = new Set(['commitTransaction', 'abortTransaction']);

function transactionsUnsupported(): MongoCommandError {
  // The stand-in rejects transactions outright (Tally's code uses none); see the package README.
  // Not IllegalOperation (20): the driver rewrites that code into a retryable-writes message.
  return new MongoCommandError(
    263,
    'Transactions are not supported by the Tally embedded MongoDB stand-in',
    'OperationNotSupportedInTransaction',
  );
}

function journalFailed(cause: Error): MongoCommandError {
  return new MongoCommandError(1, cause.message, 'InternalError');
}

export class Dispatcher {
  private readonly retries = new RetryableWrites();

  constructor(private readonly state: ServerState) {}

  /** Waits until everything written so far is in the journal on disk (group commit). */
  private async durable(durability: Durability): Promise<void> {
    try {
      await durability.whenDurable(durability.position);
    } catch (error) {
      throw journalFailed(error as Error);
    }
  }

  /**
   * Runs one command; every failure becomes mongod's `{ok: 0, code, codeName, errmsg}`, with
   * the error labels mongod adds (error-labels.ts). A failCommand fail point acts first, as in
   * mongod, and may add a writeConcernError to the reply of a command that ran.
   */
  async run(request: CommandRequest): Promise<Document> {
    const handler = this.handlerOf(request.name);
    let injected: InjectedFailure | undefined;
    let reply: Document;
    try {
      if (handler && this.state.failPoints) injected = await failCommandBefore(this.state, request);
      if (injected?.error) throw injected.error;
      reply = await this.execute(request, handler);
    } catch (error) {
      reply = toErrorReply(error);
    }
    // Unknown commands are not counted, as in mongod (they have no metrics.commands entry).
    if (handler) this.state.counters.count(request.name, request.body, reply.ok !== 1);
    let labels = injected?.errorLabels;
    if (
      handler &&
      this.state.failPoints &&
      !injected?.error &&
      WRITE_CONCERN_COMMANDS.has(request.name)
    ) {
      const concern = failCommandWriteConcern(this.state, request);
      if (concern) {
        reply = { ...reply, writeConcernError: concern.writeConcernError };
        labels = concern.errorLabels ?? labels;
      }
    }
    return withErrorLabels(request.name, request.body, reply, labels);
  }

  private handlerOf(name: string): CommandHandler | undefined {
    if (TEST_COMMANDS.has(name) && !this.state.failPoints) return undefined;
    return HANDLERS.get(name);
  }

  private async execute(
    request: CommandRequest,
    handler: CommandHandler | undefined,
  ): Promise<Document> {
    const name = request.name;
    if (
      request.body.startTransaction === true ||
      request.body.autocommit === false ||
      TRANSACTION_COMMANDS.has(name)
    ) {
      throw transactionsUnsupported();
    }
    if (!handler) {
      throw new MongoCommandError(59, `no such command: '${request.name}'`, 'CommandNotFound');
    }
    refuseUnsupported(name, request.body);
    const durability = WRITE_COMMANDS.has(name) ? this.state.durability : undefined;
    if (durability?.failure) throw journalFailed(durability.failure);
    const before = durability?.position;
    const intercepted = interceptCommand(this.state, request);
    if (intercepted) {
      // A view's create or drop is journaled too, and answers once durable like any DDL.
      if (durability && durability.position !== before && waitsForJournal(request.body)) {
        await this.durable(durability);
      }
      return intercepted;
    }
    const retryKey = RETRYABLE.has(name) ? this.retries.key(request.body) : undefined;
    if (retryKey !== undefined) {
      const previous = this.retries.get(retryKey);
      if (previous) {
        // The first attempt's answer may have been lost before its write was durable.
        if (durability && waitsForJournal(request.body)) await this.durable(durability);
        return previous;
      }
    }
    const reply = await handler(this.state, {
      ...request,
      body: bindLetVariables(name, request.body),
    });
    if (retryKey !== undefined) this.retries.remember(retryKey, reply);
    if (durability && durability.position !== before && waitsForJournal(request.body)) {
      await this.durable(durability);
    }
    const journal = this.state.durability;
    if (journal && readsOnlyCommitted(name, request.body)) {
      // A majority read answers once all it may have read is durable (j: false writes too).
      await this.durable(journal);
    }
    return reply;
  }
}

function toErrorReply(error: unknown): Document {
  if (error instanceof MongoCommandError) return error.toReply();
  return new MongoCommandError(
    1,
    (error as Error)?.message ?? String(error),
    'InternalError',
  ).toReply();
}
