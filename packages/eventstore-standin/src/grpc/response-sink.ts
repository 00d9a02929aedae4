import type { ServerWritableStream } from '@grpc/grpc-js';
import type { ReadReq, ReadResp } from '../protocol.js';
import type { RpcError } from './errors.js';

/** Responses a call may hold before its producer waits for the client. */
const MAX_IN_FLIGHT = 256;

/**
 * Writes responses of a server-streaming call with backpressure: when grpc-js buffers more than
 * its high-water mark (the client or the network is slow), the producer waits for `drain`
 * instead of queueing without bound.
 */
export class ResponseSink {
  #closed = false;
  #wakeDrain: (() => void) | undefined;

  constructor(readonly call: ServerWritableStream<ReadReq, ReadResp>) {
    const close = () => {
      this.#closed = true;
      this.#wakeDrain?.();
    };
    call.on('cancelled', close);
    call.on('close', close);
    call.on('error', close);
    call.on('drain', () => this.#wakeDrain?.());
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
}
