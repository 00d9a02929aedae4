import { crc32 } from 'node:zlib';

/**
 * One event as it sits in the log. Positions are byte offsets of records in the log file, so they
 * are stable across restarts and strictly increase in $all order. `commit` is the offset of the
 * first record of the append (transaction) the event belongs to, `position` its own offset
 * (EventStoreDB's commit and prepare positions).
 */
export interface LogEvent {
  position: number;
  commit: number;
  /** Byte length of the whole record, header included. */
  size: number;
  /** Last record of its append: the append is committed once this record is in the log. */
  transactionEnd: boolean;
  streamName: string;
  /** Stream revision; a tombstone carries TOMBSTONE_REVISION. */
  revision: bigint;
  /** .NET ticks (100 ns) since the Unix epoch, from the server clock. */
  created: bigint;
  /** 16 raw bytes. */
  id: Buffer;
  type: string;
  contentType: string;
  data: Buffer;
  metadata: Buffer;
}

/** Revision EventStoreDB gives the `$streamDeleted` event of a tombstoned stream (long.MaxValue). */
export const TOMBSTONE_REVISION = 9223372036854775807n;

/** length(u32) + crc32(u32) before each payload. */
export const RECORD_HEADER_SIZE = 8;
/** Payload layout: fixed part, then the variable-length strings and byte arrays. */
const FIXED_PAYLOAD_SIZE = 1 + 1 + 2 + 4 + 8 + 8 + 16 + 2 + 2 + 2 + 4 + 4;
/** Where the id starts in the payload: after type, flags, padding, commit distance, revision, created. */
const ID_OFFSET = 1 + 1 + 2 + 4 + 8 + 8;
const RECORD_TYPE_EVENT = 1;
const FLAG_TRANSACTION_END = 1;
/** Refuse to believe a length field above this: it can only come from a torn or corrupt tail. */
export const MAX_RECORD_SIZE = 64 * 1024 * 1024;

export type NewEvent = Omit<LogEvent, 'position' | 'size'>;

/**
 * The record, in a buffer of its own: the log keeps views of it (`bodyOf`) in its cache, and a
 * slice of Node's shared 8 KiB pool would pin the whole slab, so each cached event cost 8 KiB
 * instead of its size (measured in a heap snapshot of the stand-in under load).
 */
export function encodeRecord(event: NewEvent): Buffer {
  const stream = Buffer.from(event.streamName, 'utf8');
  const type = Buffer.from(event.type, 'utf8');
  const contentType = Buffer.from(event.contentType, 'utf8');
  const payloadSize =
    FIXED_PAYLOAD_SIZE +
    stream.length +
    type.length +
    contentType.length +
    event.data.length +
    event.metadata.length;
  const record = Buffer.allocUnsafeSlow(RECORD_HEADER_SIZE + payloadSize);
  let o = RECORD_HEADER_SIZE;
  record.writeUInt32LE(payloadSize, 0);
  record.writeUInt8(RECORD_TYPE_EVENT, o++);
  record.writeUInt8(event.transactionEnd ? FLAG_TRANSACTION_END : 0, o++);
  record.writeUInt16LE(0, o);
  o += 2;
  // Distance back to the transaction's first record: filled in by the writer, which knows offsets.
  record.writeUInt32LE(0, o);
  o += 4;
  record.writeBigUInt64LE(event.revision, o);
  o += 8;
  record.writeBigInt64LE(event.created, o);
  o += 8;
  event.id.copy(record, o, 0, 16);
  o += 16;
  record.writeUInt16LE(stream.length, o);
  o += 2;
  record.writeUInt16LE(type.length, o);
  o += 2;
  record.writeUInt16LE(contentType.length, o);
  o += 2;
  record.writeUInt32LE(event.data.length, o);
  o += 4;
  record.writeUInt32LE(event.metadata.length, o);
  o += 4;
  o += stream.copy(record, o);
  o += type.copy(record, o);
  o += contentType.copy(record, o);
  o += event.data.copy(record, o);
  event.metadata.copy(record, o);
  return record;
}

/**
 * The id, data and metadata of an encoded record, as views of it. The caller's own buffers came
 * from gRPC messages: keeping them would pin the message buffers they are slices of.
 */
export function bodyOf(record: Buffer): Pick<LogEvent, 'id' | 'data' | 'metadata'> {
  const payload = record.subarray(RECORD_HEADER_SIZE);
  let o = ID_OFFSET;
  const id = payload.subarray(o, o + 16);
  o += 16;
  const stringsLength =
    payload.readUInt16LE(o) + payload.readUInt16LE(o + 2) + payload.readUInt16LE(o + 4);
  const dataLength = payload.readUInt32LE(o + 6);
  const metadataLength = payload.readUInt32LE(o + 10);
  o += 14 + stringsLength;
  return {
    id,
    data: payload.subarray(o, o + dataLength),
    metadata: payload.subarray(o + dataLength, o + dataLength + metadataLength),
  };
}

/** Sets the commit-position back-reference and seals the record with its checksum. */
export function sealRecord(record: Buffer, commitDistance: number): void {
  record.writeUInt32LE(commitDistance, RECORD_HEADER_SIZE + 4);
  record.writeUInt32LE(crc32(record.subarray(RECORD_HEADER_SIZE)), 4);
}

export type DecodeResult =
  | { kind: 'ok'; event: LogEvent }
  /** Not enough bytes: the record continues past the end of the buffer. */
  | { kind: 'incomplete'; needed: number }
  | { kind: 'corrupt'; reason: string };

const EMPTY = Buffer.alloc(0);

/**
 * Decodes the record starting at `offset` in `buffer`; `position` is that record's log offset.
 * `indexOnly` (the start-up scan) skips the body of events outside metadata streams: the indexes
 * need only the stream, revision and id, and a million skipped bodies is a lot less garbage.
 */
export function decodeRecord(
  buffer: Buffer,
  offset: number,
  position: number,
  indexOnly = false,
): DecodeResult {
  if (buffer.length - offset < RECORD_HEADER_SIZE) {
    return { kind: 'incomplete', needed: RECORD_HEADER_SIZE };
  }
  const payloadSize = buffer.readUInt32LE(offset);
  if (payloadSize < FIXED_PAYLOAD_SIZE || payloadSize > MAX_RECORD_SIZE) {
    return { kind: 'corrupt', reason: `implausible record length ${payloadSize}` };
  }
  const size = RECORD_HEADER_SIZE + payloadSize;
  if (buffer.length - offset < size) return { kind: 'incomplete', needed: size };
  const payload = buffer.subarray(offset + RECORD_HEADER_SIZE, offset + size);
  if (crc32(payload) !== buffer.readUInt32LE(offset + 4)) {
    return { kind: 'corrupt', reason: 'checksum mismatch' };
  }
  let o = 0;
  const recordType = payload.readUInt8(o++);
  if (recordType !== RECORD_TYPE_EVENT) {
    return { kind: 'corrupt', reason: `unknown record type ${recordType}` };
  }
  const flags = payload.readUInt8(o++);
  o += 2;
  const commitDistance = payload.readUInt32LE(o);
  o += 4;
  const revision = payload.readBigUInt64LE(o);
  o += 8;
  const created = payload.readBigInt64LE(o);
  o += 8;
  const id = payload.subarray(o, o + 16);
  o += 16;
  const streamLength = payload.readUInt16LE(o);
  const typeLength = payload.readUInt16LE(o + 2);
  const contentTypeLength = payload.readUInt16LE(o + 4);
  const dataLength = payload.readUInt32LE(o + 6);
  const metadataLength = payload.readUInt32LE(o + 10);
  o += 14;
  if (
    o + streamLength + typeLength + contentTypeLength + dataLength + metadataLength !==
    payloadSize
  ) {
    return { kind: 'corrupt', reason: 'field lengths do not add up' };
  }
  const streamName = payload.toString('utf8', o, o + streamLength);
  o += streamLength;
  // '$$' starts a metadata stream, whose events the indexes do read.
  const skipBody =
    indexOnly && !(payload[o - streamLength] === 0x24 && payload[o - streamLength + 1] === 0x24);
  const type = skipBody ? '' : payload.toString('utf8', o, o + typeLength);
  o += typeLength;
  const contentType = skipBody ? '' : payload.toString('utf8', o, o + contentTypeLength);
  o += contentTypeLength;
  const data = skipBody ? EMPTY : payload.subarray(o, o + dataLength);
  o += dataLength;
  const metadata = skipBody ? EMPTY : payload.subarray(o, o + metadataLength);
  return {
    kind: 'ok',
    event: {
      position,
      commit: position - commitDistance,
      size,
      transactionEnd: (flags & FLAG_TRANSACTION_END) !== 0,
      streamName,
      revision,
      created,
      id,
      type,
      contentType,
      data,
      metadata,
    },
  };
}
