import { MAX_MESSAGE_BYTES } from './opcodes.js';

/** Why a connection's byte stream cannot go on: mongod drops such a connection too. */
export class FrameError extends Error {}

/**
 * Cuts a connection's byte stream into whole messages. Chunks of a partial message are only
 * collected, and joined once when the message is complete, so a message trickled in many small
 * chunks costs time linear in its size (joining everything received on every chunk was
 * quadratic: a 48 MB message sent slowly stalled the whole process).
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Length of the message being collected, once its first 4 bytes are in. */
  private expected: number | undefined;

  /** `maxFrameBytes`: the largest message accepted; never more than mongod's 48 MB. */
  constructor(private readonly maxFrameBytes = MAX_MESSAGE_BYTES) {}

  /** Bytes held for a message not yet complete. */
  get buffered(): number {
    return this.bytes;
  }

  /** Takes a chunk; returns the messages it completed. Throws FrameError on a bad length. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      this.chunks.push(rest);
      this.bytes += rest.length;
      rest = Buffer.alloc(0);
      if (this.expected === undefined) {
        if (this.bytes < 4) break;
        this.expected = this.peekLength();
        if (this.expected < 16 || this.expected > this.maxFrameBytes) {
          throw new FrameError(
            `message length ${this.expected} is invalid. Min 16 Max: ${this.maxFrameBytes}`,
          );
        }
      }
      if (this.bytes < this.expected) break;
      const all =
        this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
      frames.push(all.subarray(0, this.expected));
      rest = all.subarray(this.expected);
      this.chunks = [];
      this.bytes = 0;
      this.expected = undefined;
    }
    return frames;
  }

  /** The little-endian int32 length prefix, which may span the first chunks. */
  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32LE(0);
    return Buffer.concat(this.chunks, this.bytes).readInt32LE(0);
  }
}
