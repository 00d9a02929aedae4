import type { UUIDMessage } from '../protocol.js';

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
