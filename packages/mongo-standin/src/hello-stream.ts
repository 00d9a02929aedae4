import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandRequest, ServerState } from './commands/context.js';
import { hello, TOPOLOGY_COUNTER } from './commands/handshake.js';
import type { Document } from './data/bson-values.js';
import { isPlainObject } from './data/paths.js';
import { encodeOpMsgReply } from './wire/messages.js';

/**
 * An awaitable hello (the driver's streaming monitor): a hello that names the topologyVersion
 * the client last saw and how long the server may hold the answer (`maxAwaitTimeMS`).
 */
export function isAwaitableHello(request: CommandRequest): boolean {
  const name = request.name.toLowerCase();
  return (
    (name === 'hello' || name === 'ismaster') &&
    isPlainObject(request.body.topologyVersion) &&
    typeof request.body.maxAwaitTimeMS === 'number' &&
    request.body.maxAwaitTimeMS >= 0
  );
}

/**
 * Answers an awaitable hello as mongod does: at once if the client's topologyVersion is not the
 * server's (another process, so the client learns of a restart), otherwise when the topology
 * changes or `maxAwaitTimeMS` has passed (a one-node set never changes, so always the latter).
 * With `exhaustAllowed` each answer carries `moreToCome` and the next one follows after another
 * `maxAwaitTimeMS`, unasked, until the connection or the server closes: the driver reads a
 * reply without `moreToCome` as the stream ending unexpectedly, and fails the heartbeat.
 */
export async function streamHello(options: {
  state: ServerState;
  request: CommandRequest;
  requestId: number;
  exhaustAllowed: boolean;
  socket: Socket;
  /** Aborted when the server closes. */
  closing: AbortSignal;
  /** Adds $clusterTime and operationTime, as on every reply. */
  stamp: (reply: Document) => Document;
}): Promise<void> {
  const { state, request, socket, closing } = options;
  const waitMs = request.body.maxAwaitTimeMS as number;
  const seen = request.body.topologyVersion as Document;
  const current =
    String(seen.processId) === state.processId.toHexString() &&
    String(seen.counter) === TOPOLOGY_COUNTER.toString();
  let responseTo = options.requestId;
  if (current && !(await waited(waitMs, closing))) return;
  for (;;) {
    if (socket.destroyed) return;
    const message = encodeOpMsgReply(
      responseTo,
      options.stamp(hello(state, request) as Document),
      options.exhaustAllowed,
    );
    socket.write(message);
    if (!options.exhaustAllowed) return;
    // The next reply of the stream answers this one (mongod's exhaust responses chain this way).
    responseTo = message.readInt32LE(4);
    if (!(await waited(waitMs, closing))) return;
  }
}

/** False when the server closed before `ms` passed. */
async function waited(ms: number, closing: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: closing });
    return true;
  } catch {
    return false;
  }
}
