import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { type Document, deserialize, serialize } from 'bson';
import { crc32c } from '../src/wire/crc32c.js';

/**
 * A bare-bones wire client for what the official driver never sends: malformed frames,
 * unknown opcodes, checksums, moreToCome, and replayed retryable writes.
 */
export class RawWire {
  private buffered = Buffer.alloc(0);
  private waiting: Array<(frame: Buffer) => void> = [];
  private nextId = 1;
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= this.buffered.readInt32LE(0)) {
        const length = this.buffered.readInt32LE(0);
        const frame = this.buffered.subarray(0, length);
        this.buffered = this.buffered.subarray(length);
        this.waiting.shift()?.(frame);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(url: string): Promise<RawWire> {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    return new RawWire(socket);
  }

  /** Sends raw bytes (a whole frame, or a deliberately broken one). */
  sendBytes(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next reply's body document. */
  async reply(): Promise<Document> {
    return (await this.replyFrame()).body;
  }

  /** The next reply with its header: who it answers and its OP_MSG flags. */
  async replyFrame(): Promise<{
    requestId: number;
    responseTo: number;
    flags: number;
    body: Document;
  }> {
    const frame = await new Promise<Buffer>((resolve) => this.waiting.push(resolve));
    // OP_MSG: header(16) flags(4) kind(1) body
    return {
      requestId: frame.readInt32LE(4),
      responseTo: frame.readInt32LE(8),
      flags: frame.readUInt32LE(16),
      body: deserialize(frame.subarray(21)),
    };
  }

  /** Builds an OP_MSG frame: body, optional document sequences, flags, checksum. */
  frame(
    body: Document,
    options: {
      flags?: number;
      sequences?: Record<string, Document[]>;
      checksum?: boolean;
      opCode?: number;
    } = {},
  ): Buffer {
    const sections: Uint8Array[] = [Buffer.from([0]), serialize(body)];
    for (const [name, docs] of Object.entries(options.sequences ?? {})) {
      const payload = Buffer.concat([Buffer.from(`${name}\0`), ...docs.map((d) => serialize(d))]);
      const size = Buffer.alloc(4);
      size.writeInt32LE(payload.length + 4);
      sections.push(Buffer.from([1]), size, payload);
    }
    const flags = (options.flags ?? 0) | (options.checksum ? 1 : 0);
    const head = Buffer.alloc(20);
    const bodyBytes = Buffer.concat(sections);
    const length = 20 + bodyBytes.length + (options.checksum ? 4 : 0);
    head.writeInt32LE(length, 0);
    head.writeInt32LE(this.nextId++, 4);
    head.writeInt32LE(0, 8);
    head.writeInt32LE(options.opCode ?? 2013, 12);
    head.writeUInt32LE(flags, 16);
    const frame = Buffer.concat([head, bodyBytes]);
    if (!options.checksum) return frame;
    const sum = Buffer.alloc(4);
    sum.writeUInt32LE(crc32c(frame));
    return Buffer.concat([frame, sum]);
  }

  async command(body: Document, options: Parameters<RawWire['frame']>[1] = {}): Promise<Document> {
    const reply = this.reply();
    this.sendBytes(this.frame(body, options));
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }
}
