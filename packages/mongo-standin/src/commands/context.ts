import type { ObjectId } from 'bson';
import type { ChangeLog } from '../changes/change-log.js';
import type { ClusterClock } from '../changes/cluster-clock.js';
import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import type { Durability } from '../storage/durability.js';
import type { Store } from '../storage/store.js';
import type { CommandCounters } from './command-counters.js';
import type { CursorRegistry } from './cursors.js';
import type { FailPoints } from './fail-points.js';

/** Everything a command handler can reach: the server's shared state. */
export interface ServerState {
  readonly store: Store;
  readonly cursors: CursorRegistry;
  readonly changes: ChangeLog;
  readonly clock: ClusterClock;
  /** host:port exactly as the connection string names it (hello's `me` and `hosts`). */
  readonly me: string;
  readonly setName: string;
  readonly startedAt: Date;
  /** hello's topologyVersion.processId: new for every start, as mongod's is. */
  readonly processId: ObjectId;
  /** Commands run since start, for serverStatus's opcounters and metrics.commands. */
  readonly counters: CommandCounters;
  /** The journal that write commands wait on; unset when the server keeps data in memory only. */
  durability?: Durability;
  /** The test-only fail points; set only when test commands are enabled (enableTestCommands). */
  readonly failPoints?: FailPoints;
}

/** The client connection a command came on: what a fail point matches and acts on. */
export interface ClientConnection {
  readonly id: number;
  /** The first handshake's `client.application.name` (the driver's appName), if any. */
  appName: string | undefined;
  /** Closes the connection without answering (failCommand's closeConnection). */
  close(): void;
}

/** One decoded command: the OP_MSG body with document sequences merged in. */
export interface CommandRequest {
  readonly db: string;
  readonly name: string;
  readonly body: Document;
  readonly connectionId: number;
  readonly connection?: ClientConnection;
  /** The client accepts a stream of replies (OP_MSG exhaustAllowed): only hello streams. */
  readonly exhaustAllowed?: boolean;
}

export type CommandHandler = (
  state: ServerState,
  request: CommandRequest,
) => Document | Promise<Document>;

export function collectionName(request: CommandRequest): string {
  const value = request.body[request.name];
  if (typeof value !== 'string') {
    throw new MongoCommandError(
      73,
      `collection name has invalid type ${typeof value}`,
      'InvalidNamespace',
    );
  }
  return value;
}
