import { createServer, type Server, type Socket } from 'node:net';
import { Binary, Long, ObjectId } from 'bson';
import { ChangeLog } from './changes/change-log.js';
import { ClusterClock } from './changes/cluster-clock.js';
import { CommandCounters } from './commands/command-counters.js';
import type { ClientConnection, CommandRequest, ServerState } from './commands/context.js';
import { CursorRegistry } from './commands/cursors.js';
import { Dispatcher } from './commands/dispatch.js';
import { FailPoints } from './commands/fail-points.js';
import type { Document } from './data/bson-values.js';
import { MongoCommandError } from './data/errors.js';
import { awaitedHello, streamHello } from './hello-stream.js';
import { createLogger } from './logger.js';
import type { Store } from './storage/store.js';
import { FrameReader } from './wire/frame-reader.js';
import { encodeOpMsgReply, encodeOpReply, parseMessage } from './wire/messages.js';
import { MAX_MESSAGE_BYTES, OP_QUERY } from './wire/opcodes.js';

const log = createLogger('embedded-mongo');

export interface ConnectionLimits {
  /** Open connections at most; more are closed as soon as they connect (default 1,000). */
  maxConnections: number;
  /**
   * Bytes one connection may hold: its message being received (so also the largest message,
   * at most mongod's 48 MB) and, separately, its received messages waiting to run, above which
   * reading from it pauses (default 64 MiB).
   */
  maxConnectionBufferBytes: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 1000,
  maxConnectionBufferBytes: 64 * 1024 * 1024,
};
const ZERO_SIGNATURE = { hash: new Binary(Buffer.alloc(20)), keyId: Long.ZERO };

/** The TCP side: frames messages, runs commands in order per connection, writes replies. */
export class WireServer {
  readonly state: ServerState;
  private readonly dispatcher: Dispatcher;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;
  /** Ends the awaitable hellos held open, so close() does not wait out their maxAwaitTimeMS. */
  private readonly closing = new AbortController();

  constructor(
    store: Store,
    me: () => string,
    changeHistory?: number,
    private readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
    /** mongod's enableTestCommands: configureFailPoint exists only then. */
    enableTestCommands = false,
  ) {
    const clock = new ClusterClock();
    const changes = new ChangeLog(clock, changeHistory);
    store.onEvent((event) => changes.record(event));
    this.state = {
      store,
      cursors: new CursorRegistry(),
      changes,
      clock,
      get me() {
        return me();
      },
      setName: 'rs0',
      startedAt: new Date(),
      processId: new ObjectId(),
      counters: new CommandCounters(),
      ...(enableTestCommands ? { failPoints: new FailPoints() } : {}),
    };
    this.dispatcher = new Dispatcher(this.state);
    this.server = createServer((socket) => this.accept(socket));
    // Like mongod's maxIncomingConnections: connections over the cap are closed at once.
    this.server.maxConnections = limits.maxConnections;
    let lastDropLog = 0;
    this.server.on('drop', () => {
      if (Date.now() - lastDropLog < 1000) return; // one line a second under a flood
      lastDropLog = Date.now();
      log.warn(
        { maxConnections: limits.maxConnections },
        'connection refused because too many open connections',
      );
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** $clusterTime and operationTime, which every reply carries. */
  private stamp(reply: Document): Document {
    reply.$clusterTime = { clusterTime: this.state.clock.now(), signature: ZERO_SIGNATURE };
    reply.operationTime = this.state.clock.now();
    return reply;
  }

  async close(): Promise<void> {
    this.closing.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.state.changes.wakeAll();
    this.state.cursors.clear();
    await closed;
  }

  private accept(socket: Socket): void {
    const connectionId = this.nextConnectionId++;
    let closedByServer = false;
    const connection: ClientConnection = {
      id: connectionId,
      appName: undefined,
      close: () => {
        closedByServer = true;
        socket.destroy();
      },
    };
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader(
      Math.min(MAX_MESSAGE_BYTES, this.limits.maxConnectionBufferBytes),
    );
    /** Bytes of whole messages received and not yet answered: reading pauses above the cap. */
    let queuedBytes = 0;
    let queue: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch (error) {
        // mongod cannot resynchronise a stream with a bad length either: it drops the connection.
        log.warn({ connectionId }, (error as Error).message);
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        queuedBytes += frame.length;
        queue = queue
          // Once the server hung up (a fail point's closeConnection), what was queued is dropped.
          .then(() => (closedByServer ? undefined : this.handle(socket, frame, connection)))
          .catch((error: unknown) => {
            // A bug must cost at most this connection, never the server.
            log.error({ connectionId, err: error }, 'connection failed');
            socket.destroy();
          })
          .finally(() => {
            queuedBytes -= frame.length;
            if (socket.isPaused() && queuedBytes <= this.limits.maxConnectionBufferBytes)
              socket.resume();
          });
      }
      // A client that sends faster than its commands run waits (TCP backpressure), unbuffered.
      if (queuedBytes > this.limits.maxConnectionBufferBytes) socket.pause();
    });
    socket.on('error', (error) => log.debug({ connectionId, err: error }, 'socket error'));
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async handle(socket: Socket, frame: Buffer, connection: ClientConnection): Promise<void> {
    const connectionId = connection.id;
    const requestId = frame.readInt32LE(4);
    let opCode = frame.readInt32LE(12);
    let reply: Document;
    let moreToCome = false;
    let exhaustAllowed = false;
    let command: CommandRequest | undefined;
    try {
      const request = parseMessage(frame);
      opCode = request.opCode;
      moreToCome = request.moreToCome;
      exhaustAllowed = request.exhaustAllowed;
      const name = Object.keys(request.body)[0] ?? '';
      command = {
        db: request.db,
        name,
        body: request.body,
        connectionId,
        connection,
        exhaustAllowed,
      };
      reply = await this.dispatcher.run(command);
    } catch (error) {
      reply =
        error instanceof MongoCommandError
          ? error.toReply()
          : new MongoCommandError(
              1,
              String((error as Error)?.message ?? error),
              'InternalError',
            ).toReply();
      if (Number.isNaN(reply.code)) {
        // Unknown opcode: mongod answers with an error too rather than hanging the client.
        reply = { ...reply, code: 2, codeName: 'BadValue' };
      }
    }
    if (moreToCome || socket.destroyed) return;
    const awaited =
      opCode !== OP_QUERY && command && reply.ok === 1 ? awaitedHello(command) : undefined;
    if (command && awaited) {
      await streamHello({
        state: this.state,
        request: command,
        awaited,
        requestId,
        exhaustAllowed,
        socket,
        closing: this.closing.signal,
        stamp: (answer) => this.stamp(answer),
      });
      return;
    }
    this.stamp(reply);
    socket.write(
      opCode === OP_QUERY ? encodeOpReply(requestId, reply) : encodeOpMsgReply(requestId, reply),
    );
  }
}
