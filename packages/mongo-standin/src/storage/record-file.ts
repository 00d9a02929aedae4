import { closeSync, fdatasync, fsyncSync, openSync, readFileSync, write, writeSync } from 'node:fs';
import { type Document, decodeDocument, encodeDocument } from '../data/bson-values.js';
import { crc32c } from '../wire/crc32c.js';

/**
 * The on-disk framing shared by the snapshot and the journal: each record is
 * `[u32 length][u32 crc32c][BSON]`. A crash can only tear the last record; reading stops at the
 * first frame that is short or fails its checksum, so a file is always readable up to there.
 */
const FRAME_HEADER = 8;

export function frameRecord(doc: Document): Buffer {
  const body = encodeDocument(doc);
  const frame = Buffer.allocUnsafe(FRAME_HEADER + body.length);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt32LE(crc32c(body), 4);
  body.copy(frame, FRAME_HEADER);
  return frame;
}

/** Reads the intact records of a file, and the byte length they span. */
export function readRecords(path: string): { records: Document[]; validBytes: number } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], validBytes: 0 };
    throw error;
  }
  const records: Document[] = [];
  let offset = 0;
  while (offset + FRAME_HEADER <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const end = offset + FRAME_HEADER + length;
    if (length < 5 || end > bytes.length) break;
    const body = bytes.subarray(offset + FRAME_HEADER, end);
    if (crc32c(body) !== bytes.readUInt32LE(offset + 4)) break;
    try {
      records.push(decodeDocument(body));
    } catch {
      break;
    }
    offset = end;
  }
  return { records, validBytes: offset };
}

/** Writes records in large chunks to a file descriptor, then syncs it. */
export class RecordWriter {
  private chunks: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of every record ever added: a position in the stream of records, never reset. */
  addedBytes = 0;

  /** `autoFlushBytes`: write synchronously once that much is buffered (never for the journal, whose writes are asynchronous and must not interleave). */
  constructor(
    public fd: number,
    private readonly autoFlushBytes = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Writes from now on go to `fd` (a new journal file); returns the previous one, still open.
   * Positions (`addedBytes`) go on counting, so waiters on earlier positions are unaffected.
   */
  switchTo(fd: number): number {
    const previous = this.fd;
    this.fd = fd;
    return previous;
  }

  static create(path: string, flags: string, autoFlushBytes?: number): RecordWriter {
    return new RecordWriter(openSync(path, flags, 0o600), autoFlushBytes);
  }

  add(doc: Document): void {
    const frame = frameRecord(doc);
    this.chunks.push(frame);
    this.pendingBytes += frame.length;
    this.addedBytes += frame.length;
    if (this.pendingBytes > this.autoFlushBytes) this.flush(false);
  }

  /** Hands over what is buffered, for a caller that writes it asynchronously. */
  take(): Buffer {
    const data = Buffer.concat(this.chunks, this.pendingBytes);
    this.chunks = [];
    this.pendingBytes = 0;
    return data;
  }

  get hasPending(): boolean {
    return this.pendingBytes > 0;
  }

  /** Writes what is buffered; with `sync`, waits until it is on disk. Returns bytes written. */
  flush(sync: boolean): number {
    const written = this.pendingBytes;
    if (written > 0) {
      const data = Buffer.concat(this.chunks, written);
      this.chunks = [];
      this.pendingBytes = 0;
      let offset = 0;
      while (offset < data.length) offset += writeSync(this.fd, data, offset);
    }
    if (sync) fsyncSync(this.fd);
    return written;
  }

  close(): void {
    this.flush(true);
    closeSync(this.fd);
  }
}

/** Writes all of `data` at the file's current offset (its end, with O_APPEND), off the event loop. */
export function writeAll(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (offset: number) => {
      if (offset >= data.length) return resolve();
      write(fd, data, offset, data.length - offset, null, (error, written) =>
        error ? reject(error) : from(offset + written),
      );
    };
    from(0);
  });
}

/** Waits until everything written to `fd` is on disk, off the event loop. */
export function syncData(fd: number): Promise<void> {
  return new Promise((resolve, reject) =>
    fdatasync(fd, (error) => (error ? reject(error) : resolve())),
  );
}

/** Appends `data` at the file's end (O_APPEND) and waits until it is on disk, off the event loop. */
export async function writeAndSync(fd: number, data: Buffer): Promise<void> {
  await writeAll(fd, data);
  await syncData(fd);
}
