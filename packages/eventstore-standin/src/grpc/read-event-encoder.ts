import type { LogEvent } from '../log/record.js';
import { formatUuid } from './uuid.js';

/**
 * Hand-written protobuf encoding of `ReadResp { event: ReadEvent { event, link, commit_position } }`,
 * the message a read or catch-up sends for every event. Building it through google-protobuf
 * objects costs more than everything else the server does per event; the wire format is small and
 * fixed (field numbers from streams.proto / shared.proto), and the real client decodes it.
 *
 * `event` is what the reader sees; with `link` it is the target of that `$>` link event (or
 * undefined when the link does not resolve). The ReadEvent's own position is the original's.
 */
export function encodeReadEvent(
  event: LogEvent | undefined,
  structuredUuid: boolean,
  link?: LogEvent,
): Buffer {
  const original = link ?? event;
  if (!original) throw new Error('a read event needs an event or a link');
  const recorded = event ? encodeRecordedEvent(event, structuredUuid) : undefined;
  const linked = link ? encodeRecordedEvent(link, structuredUuid) : undefined;
  const readEventSize =
    (recorded ? fieldLength(1, recorded.length) : 0) +
    (linked ? fieldLength(2, linked.length) : 0) +
    1 +
    varintSize(original.commit);
  const out = Buffer.allocUnsafe(fieldLength(1, readEventSize));
  let o = writeVarint(out, 0, (1 << 3) | 2); // ReadResp.event
  o = writeVarint(out, o, readEventSize);
  if (recorded) {
    o = writeVarint(out, o, (1 << 3) | 2); // ReadEvent.event
    o = writeVarint(out, o, recorded.length);
    o += recorded.copy(out, o);
  }
  if (linked) {
    o = writeVarint(out, o, (2 << 3) | 2); // ReadEvent.link
    o = writeVarint(out, o, linked.length);
    o += linked.copy(out, o);
  }
  o = writeVarint(out, o, (3 << 3) | 0); // ReadEvent.commit_position
  writeVarint(out, o, original.commit);
  return out;
}

/** `ReadResp.ReadEvent.RecordedEvent` for one event, with its own positions. */
function encodeRecordedEvent(event: LogEvent, structuredUuid: boolean): Buffer {
  const id = structuredUuid ? structuredUuidBytes(event.id) : stringUuidBytes(event.id);
  const stream = Buffer.from(event.streamName, 'utf8');
  const streamIdentifier = stream.length > 0 ? fieldLength(3, stream.length) : 0;
  const type = Buffer.from(event.type, 'utf8');
  const contentType = Buffer.from(event.contentType, 'utf8');
  const created = Buffer.from(event.created.toString(), 'ascii');
  const entries = [
    mapEntry('type', type),
    mapEntry('content-type', contentType),
    mapEntry('created', created),
  ];
  const revision = uint64Bytes(event.revision);
  const size =
    fieldLength(1, id.length) +
    fieldLength(2, streamIdentifier) +
    1 +
    revision.length +
    1 +
    varintSize(event.position) +
    1 +
    varintSize(event.commit) +
    entries.reduce((sum, entry) => sum + fieldLength(6, entry.size), 0) +
    (event.metadata.length > 0 ? fieldLength(7, event.metadata.length) : 0) +
    (event.data.length > 0 ? fieldLength(8, event.data.length) : 0);
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  const tag = (field: number, wireType: number) => {
    out[o++] = (field << 3) | wireType;
  };
  const varint = (value: number) => {
    o = writeVarint(out, o, value);
  };
  const bytes = (field: number, value: Buffer) => {
    tag(field, 2);
    varint(value.length);
    o += value.copy(out, o);
  };
  bytes(1, id);
  tag(2, 2);
  varint(streamIdentifier);
  if (stream.length > 0) bytes(3, stream);
  tag(3, 0);
  o += revision.copy(out, o);
  tag(4, 0);
  varint(event.position);
  tag(5, 0);
  varint(event.commit);
  for (const entry of entries) {
    tag(6, 2);
    varint(entry.size);
    bytes(1, entry.key);
    bytes(2, entry.value);
  }
  if (event.metadata.length > 0) bytes(7, event.metadata);
  if (event.data.length > 0) bytes(8, event.data);
  return out;
}

function mapEntry(key: string, value: Buffer) {
  const keyBytes = Buffer.from(key, 'ascii');
  return {
    key: keyBytes,
    value,
    size: fieldLength(1, keyBytes.length) + fieldLength(2, value.length),
  };
}

/** Size of a length-delimited field (tag + length + payload); field numbers here are < 16. */
function fieldLength(_field: number, length: number): number {
  return 1 + varintSize(length) + length;
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Buffer, offset: number, value: number): number {
  while (value >= 128) {
    out[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[offset++] = value;
  return offset;
}

function uint64Bytes(value: bigint): Buffer {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, value);
  while (rest >= 128n) {
    bytes.push(Number(rest & 127n) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Buffer.from(bytes);
}

/** UUID { string = 2 } */
function stringUuidBytes(id: Buffer): Buffer {
  const text = Buffer.from(formatUuid(id), 'ascii');
  return Buffer.concat([Buffer.from([(2 << 3) | 2, text.length]), text]);
}

/** UUID { structured = 1 { most_significant_bits = 1, least_significant_bits = 2 } } as int64s. */
function structuredUuidBytes(id: Buffer): Buffer {
  const most = uint64Bytes(id.readBigUInt64BE(0));
  const least = uint64Bytes(id.readBigUInt64BE(8));
  const structured = Buffer.concat([
    Buffer.from([(1 << 3) | 0]),
    most,
    Buffer.from([(2 << 3) | 0]),
    least,
  ]);
  return Buffer.concat([Buffer.from([(1 << 3) | 2, structured.length]), structured]);
}
