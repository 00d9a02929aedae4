import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
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

  constructor(private readonly fd: number) {}

  static create(path: string, flags: string): RecordWriter {
    return new RecordWriter(openSync(path, flags));
  }

  add(doc: Document): void {
    const frame = frameRecord(doc);
    this.chunks.push(frame);
    this.pendingBytes += frame.length;
    if (this.pendingBytes > 8 * 1024 * 1024) this.flush(false);
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
