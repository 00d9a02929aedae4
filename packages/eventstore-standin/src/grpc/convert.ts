import { sharedPb } from '../protocol.js';
import type { ExpectedRevision } from '../store/types.js';

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
