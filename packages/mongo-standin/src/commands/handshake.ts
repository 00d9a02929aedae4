import { Long, ObjectId } from 'bson';
import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';
import { MAX_BSON_OBJECT_BYTES, MAX_MESSAGE_BYTES, MAX_WRITE_BATCH_SIZE } from '../wire/opcodes.js';
import { awaitableHello } from './awaitable-hello.js';
import type { CommandHandler, CommandRequest } from './context.js';

/** MongoDB 7.0 reports wire version 21; the driver needs 9..29 (see notes/mongo-wire.md). */
const MAX_WIRE_VERSION = 21;
const ELECTION_ID = new ObjectId('7fffffff0000000000000001');
/** A one-node replica set whose topology never changes while the process lives. */
export const TOPOLOGY_COUNTER = Long.ZERO;

/**
 * hello/isMaster as the primary of a one-node replica set, so the driver allows sessions,
 * retryable writes and change streams. With mongod's `topologyVersion`: a process id new at
 * every start, and a counter that stays 0 (a one-node set never changes). The driver then
 * streams hello (awaitable hello, see hello-stream.ts) and, as with mongod, restarts its
 * monitor at once when an operation finds the server gone, and sees a restart as a new process.
 */
export const hello: CommandHandler = (state, request) => {
  const awaitable = awaitableHello(request);
  // The same process cannot have shown a later topology than it has (mongod's 31382).
  if (
    awaitable?.processId.equals(state.processId) &&
    awaitable.counter.greaterThan(TOPOLOGY_COUNTER)
  ) {
    throw new MongoCommandError(
      31382,
      `Received a topology version with counter: ${awaitable.counter} which is greater than ` +
        `the server topology version counter: ${TOPOLOGY_COUNTER}`,
      'Location31382',
    );
  }
  if (request.exhaustAllowed && !awaitable) {
    // A stream of hellos is the awaitable protocol: mongod refuses one without a wait.
    throw new MongoCommandError(
      51756,
      "An isMaster or hello request with exhaust must specify 'maxAwaitTimeMS'",
      'Location51756',
    );
  }
  const legacy = request.name.toLowerCase() === 'ismaster';
  noteAppName(request);
  const lastWriteTime = state.clock.now();
  const reply: Document = {
    ...(request.body.helloOk ? { helloOk: true } : {}),
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    maxBsonObjectSize: MAX_BSON_OBJECT_BYTES,
    maxMessageSizeBytes: MAX_MESSAGE_BYTES,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: request.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    hosts: [state.me],
    setName: state.setName,
    setVersion: 1,
    secondary: false,
    primary: state.me,
    me: state.me,
    electionId: ELECTION_ID,
    topologyVersion: { processId: state.processId, counter: TOPOLOGY_COUNTER },
    lastWrite: {
      opTime: { ts: lastWriteTime, t: 1 },
      lastWriteDate: new Date(lastWriteTime.t * 1000),
      majorityOpTime: { ts: lastWriteTime, t: 1 },
      majorityWriteDate: new Date(lastWriteTime.t * 1000),
    },
    ok: 1,
  };
  return reply;
};

/** The driver names its appName in the first handshake's client metadata; mongod keeps it. */
function noteAppName(request: CommandRequest): void {
  const connection = request.connection;
  const client = request.body.client;
  if (!connection || connection.appName !== undefined || !isPlainObject(client)) return;
  const application = client.application;
  if (isPlainObject(application) && typeof application.name === 'string') {
    connection.appName = application.name;
  }
}

export const buildInfo: CommandHandler = () => ({
  version: '7.0.0',
  gitVersion: 'tally-embedded',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_OBJECT_BYTES,
  storageEngines: ['tally-memory'],
  modules: [],
  ok: 1,
});

export const ok: CommandHandler = () => ({ ok: 1 });
