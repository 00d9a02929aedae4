import type { ServerWritableStream } from '@grpc/grpc-js';
import type { ReadReq, ReadResp } from '../protocol.js';
import type { RpcError } from './errors.js';

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
  async send(response: ReadResp): Promise<void> {
    if (this.closed) return;
    if (this.call.write(response)) return;
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
