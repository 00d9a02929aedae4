import {
  closeSync,
  fdatasync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  writevSync,
} from 'node:fs';

/**
 * Byte storage under the log. Writes go to the end; `sync` makes everything written so far
 * durable. Reads are synchronous: they hit the page cache and a store with one writer thread is
 * simpler to reason about when a read cannot interleave with a write.
 */
export interface LogStorage {
  /** Bytes written, durable or not. */
  readonly size: number;
  append(chunks: Buffer[]): void;
  sync(): Promise<void>;
  /** Up to `length` bytes from `offset`; fewer at the end of the log. */
  read(offset: number, length: number): Buffer;
  /** Drops everything from `size` on (recovery cutting a torn tail). */
  truncate(size: number): void;
  close(): void;
}

export class FileStorage implements LogStorage {
  #fd: number;
  #size: number;

  constructor(path: string) {
    this.#fd = openSync(path, 'a+', 0o600);
    // 'a+' creates the file; reopen read-write without O_APPEND so writes go where we say.
    closeSync(this.#fd);
    this.#fd = openSync(path, 'r+', 0o600);
    this.#size = fstatSync(this.#fd).size;
  }

  get size(): number {
    return this.#size;
  }

  append(chunks: Buffer[]): void {
    let position = this.#size;
    // writev may write less than asked; loop until every byte is in.
    let pending = chunks;
    while (pending.length > 0) {
      let written = writevSync(this.#fd, pending, position);
      position += written;
      const rest: Buffer[] = [];
      for (const chunk of pending) {
        if (written >= chunk.length) {
          written -= chunk.length;
        } else {
          rest.push(written > 0 ? chunk.subarray(written) : chunk);
          written = 0;
        }
      }
      pending = rest;
    }
    this.#size = position;
  }

  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      fdatasync(this.#fd, (error) => (error ? reject(error) : resolve()));
    });
  }

  read(offset: number, length: number): Buffer {
    const wanted = Math.max(0, Math.min(length, this.#size - offset));
    const buffer = Buffer.allocUnsafe(wanted);
    let done = 0;
    while (done < wanted) {
      const n = readSync(this.#fd, buffer, done, wanted - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done === wanted ? buffer : buffer.subarray(0, done);
  }

  truncate(size: number): void {
    ftruncateSync(this.#fd, size);
    this.#size = size;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** Memory-only mode, for tests that don't need the disk: same layout, nothing survives a restart. */
export class MemoryStorage implements LogStorage {
  #buffer = Buffer.allocUnsafe(1024 * 1024);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  append(chunks: Buffer[]): void {
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    if (this.#size + total > this.#buffer.length) {
      let capacity = this.#buffer.length;
      while (capacity < this.#size + total) capacity *= 2;
      const grown = Buffer.allocUnsafe(capacity);
      this.#buffer.copy(grown, 0, 0, this.#size);
      this.#buffer = grown;
    }
    for (const chunk of chunks) this.#size += chunk.copy(this.#buffer, this.#size);
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  read(offset: number, length: number): Buffer {
    const end = Math.min(this.#size, offset + length);
    // Copy: the backing buffer is reused when it grows and callers may keep what they read.
    return Buffer.from(this.#buffer.subarray(offset, Math.max(offset, end)));
  }

  truncate(size: number): void {
    this.#size = size;
  }

  close(): void {}
}
