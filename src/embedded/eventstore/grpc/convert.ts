import type { LogEvent } from '../log/record.js';
import type { UUIDMessage } from '../protocol.js';
import { sharedPb, streamsPb } from '../protocol.js';
import type { ExpectedRevision } from '../store/types.js';
import { encodeReadEvent } from './read-event-encoder.js';

const UUID_HEX =
  /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/** 16 raw bytes from a UUID message (string or structured form); undefined if malformed. */
export function uuidBytes(uuid: UUIDMessage | undefined): Buffer | undefined {
  if (!uuid) return undefined;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured();
    if (!structured) return undefined;
    try {
      const bytes = Buffer.alloc(16);
      bytes.writeBigUInt64BE(BigInt.asUintN(64, BigInt(structured.getMostSignificantBits())), 0);
      bytes.writeBigUInt64BE(BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits())), 8);
      return bytes;
    } catch {
      return undefined;
    }
  }
  const match = UUID_HEX.exec(uuid.getString());
  return match ? Buffer.from(match.slice(1).join(''), 'hex') : undefined;
}

export function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function streamIdentifier(name: string) {
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(name, 'utf8'));
  return identifier;
}

export function streamNameOf(identifier: { getStreamName_asU8(): Uint8Array } | undefined): string {
  return identifier ? Buffer.from(identifier.getStreamName_asU8()).toString('utf8') : '';
}

/** Parses a decimal uint64 string as sent by the client; undefined if it is not one. */
export function parseUint64(value: string): bigint | undefined {
  if (!/^\d{1,20}$/.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed <= 0xffffffffffffffffn ? parsed : undefined;
}

/** Expected revision from any of the append/delete option messages (they share accessor names). */
export function expectedRevisionOf(
  options: {
    hasAny(): boolean;
    hasNoStream(): boolean;
    hasStreamExists(): boolean;
  },
  revision: string | undefined,
): ExpectedRevision | undefined {
  if (options.hasAny()) return { kind: 'any' };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  if (revision !== undefined) {
    const parsed = parseUint64(revision);
    return parsed === undefined ? undefined : { kind: 'revision', revision: parsed };
  }
  return undefined;
}

/**
 * A ReadResp carrying one recorded event, as EventStoreDB sends it (pre-encoded bytes). With
 * `resolve` set, a `$>` link event is sent as its target with the link alongside.
 */
export function readEventResponse(
  event: LogEvent,
  structuredUuid: boolean,
  resolve?: (link: LogEvent) => LogEvent | undefined,
): Buffer {
  if (resolve && event.type === LINK_EVENT_TYPE) {
    return encodeReadEvent(resolve(event), structuredUuid, event);
  }
  return encodeReadEvent(event, structuredUuid);
}

/** The type of link events, whose data is `<revision>@<stream>`. */
export const LINK_EVENT_TYPE = '$>';

export function checkpointResponse(commit: number, prepare: number) {
  const checkpoint = new streamsPb.ReadResp.Checkpoint();
  checkpoint.setCommitPosition(String(commit));
  checkpoint.setPreparePosition(String(prepare));
  const response = new streamsPb.ReadResp();
  response.setCheckpoint(checkpoint);
  return response;
}
