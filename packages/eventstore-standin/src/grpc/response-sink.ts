import type { ServerWritableStream } from '@grpc/grpc-js';
import type { ReadReq, ReadResp } from '../protocol.js';
import type { RpcError } from './errors.js';

/** Responses a call may hold before its producer waits for the client. */
const MAX_IN_FLIGHT = 256;

/** setTimeout's longest delay; a deadline further away than this is as good as none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Writes responses of a server-streaming call with backpressure: when grpc-js buffers more than
 * its high-water mark (the client or the network is slow), the producer waits for `drain`
 * instead of queueing without bound.
 *
 * It also says when the call is over for the server, whichever way it ends: finished, failed,
 * cancelled by the client (RST_STREAM CANCEL, which the client sends on `cancel()`,
 * `unsubscribe()`, `dispose()` or its own deadline), its connection closed, or its deadline
 * passed. Then `closed` turns true, a producer waiting for `drain` is let go (a client that went
 * away never drains), and `ended` resolves, so per-call state can be freed at once.
 */
export class ResponseSink {
  #closed = false;
  #wakeDrain: (() => void) | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #ended!: () => void;
  /** Resolves once the call is over for the server (see the class comment). */
  readonly ended: Promise<void> = new Promise((resolve) => {
    this.#ended = resolve;
  });

  constructor(readonly call: ServerWritableStream<ReadReq, ReadResp>) {
    const over = () => this.#over();
    // grpc-js emits `cancelled` (and not `close`) on a server-streaming call the client reset
    // or whose connection went away; `close` follows `finish` when a call ends normally.
    call.on('cancelled', over);
    call.on('close', over);
    call.on('finish', over);
    call.on('error', over);
    call.on('drain', () => this.#wake());
    if (call.cancelled || call.destroyed) {
      over();
      return;
    }
    this.#armDeadline();
  }

  /** Waiting for the client (or the network) to take what was already written. */
  get blocked(): boolean {
    return this.#wakeDrain !== undefined;
  }

  get closed(): boolean {
    return this.#closed || this.call.cancelled;
  }

  /** Sends; resolves when the caller may produce the next message. */
  async send(response: ReadResp | Buffer): Promise<void> {
    if (this.closed) return;
    // Buffers are responses encoded by hand; the service's serializer passes them through.
    this.call.write(response as ReadResp);
    // grpc-js's high-water mark is 16 messages; stopping there turns a catch-up into a
    // stop-and-wait exchange with the client. Keep a bounded window in flight instead.
    if (this.call.writableLength < MAX_IN_FLIGHT) return;
    await new Promise<void>((resolve) => {
      this.#wakeDrain = resolve;
    });
    this.#wakeDrain = undefined;
  }

  end(): void {
    if (this.closed) return;
    this.#closed = true;
    this.call.end();
  }

  fail(error: RpcError): void {
    if (this.closed) return;
    this.#closed = true;
    this.call.emit('error', error);
  }

  #wake(): void {
    this.#wakeDrain?.();
  }

  #over(): void {
    this.#closed = true;
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    this.#wake();
    this.#ended();
  }

  /**
   * At the client's deadline the call is over: grpc-js answers DEADLINE_EXCEEDED itself, and the
   * producer must stop there, as EventStoreDB's reads stop on the request's cancellation token,
   * even if the client neither reads nor resets the stream.
   */
  #armDeadline(): void {
    const deadline = this.call.getDeadline();
    const at = deadline instanceof Date ? deadline.getTime() : deadline;
    if (!Number.isFinite(at)) return;
    const ms = Math.max(0, at - Date.now());
    if (ms > MAX_TIMER_MS) return;
    this.#deadlineTimer = setTimeout(() => this.#over(), ms);
    this.#deadlineTimer.unref();
  }
}
