import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AwaitableHello, awaitableHello } from './commands/awaitable-hello.js';
import type { CommandRequest, ServerState } from './commands/context.js';
import { hello, TOPOLOGY_COUNTER } from './commands/handshake.js';
import type { Document } from './data/bson-values.js';
import { encodeOpMsgReply } from './wire/messages.js';

/**
 * An awaitable hello (the driver's streaming monitor): a hello that names the topologyVersion
 * the client last saw and how long the server may hold the answer (`maxAwaitTimeMS`). Only
 * asked of a hello that succeeded, whose arguments the command has already checked.
 */
export function awaitedHello(request: CommandRequest): AwaitableHello | undefined {
  const name = request.name.toLowerCase();
  return name === 'hello' || name === 'ismaster' ? awaitableHello(request) : undefined;
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
  awaited: AwaitableHello;
  requestId: number;
  exhaustAllowed: boolean;
  socket: Socket;
  /** Aborted when the server closes. */
  closing: AbortSignal;
  /** Adds $clusterTime and operationTime, as on every reply. */
  stamp: (reply: Document) => Document;
}): Promise<void> {
  const { state, awaited, socket, closing } = options;
  const waitMs = awaited.maxAwaitTimeMS;
  const current =
    awaited.processId.equals(state.processId) && awaited.counter.equals(TOPOLOGY_COUNTER);
  // A hello is held until the server closes or the client hangs up, whichever comes first: a
  // monitor that went away must not leave a timer behind for up to maxAwaitTimeMS.
  // (Listeners rather than AbortSignal.any, whose dependants a long-lived signal keeps.)
  const over = new AbortController();
  const end = () => over.abort();
  socket.once('close', end);
  closing.addEventListener('abort', end, { once: true });
  try {
    await stream(options, current, waitMs, over.signal);
  } finally {
    socket.off('close', end);
    closing.removeEventListener('abort', end);
  }
}

async function stream(
  options: Parameters<typeof streamHello>[0],
  current: boolean,
  waitMs: number,
  over: AbortSignal,
): Promise<void> {
  const { state, request, socket } = options;
  let responseTo = options.requestId;
  if (current && !(await waited(waitMs, over))) return;
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
    if (!(await waited(waitMs, over))) return;
  }
}

/** False when the wait was cut short (the server closed or the client hung up). */
async function waited(ms: number, over: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: over });
    return true;
  } catch {
    return false;
  }
}
