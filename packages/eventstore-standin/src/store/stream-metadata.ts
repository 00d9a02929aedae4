/** The system properties of stream metadata that reads honour, as EventStoreDB names them. */
export interface StreamMetadata {
  maxAge?: number;
  maxCount?: number;
  truncateBefore?: number;
  /** The whole JSON document, so an undelete can keep the other properties. */
  raw: Record<string, unknown>;
}

/** `$tb` of a soft-deleted stream: long.MaxValue, which JSON turns into about 9.22e18. */
export const SOFT_DELETED_TRUNCATE_BEFORE = 9223372036854775807n;

export function parseStreamMetadata(data: Buffer): StreamMetadata | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const doc = raw as Record<string, unknown>;
  const metadata: StreamMetadata = { raw: doc };
  const positive = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
  const maxAge = positive(doc.$maxAge);
  const maxCount = positive(doc.$maxCount);
  const truncateBefore = positive(doc.$tb);
  if (maxAge !== undefined) metadata.maxAge = maxAge;
  if (maxCount !== undefined) metadata.maxCount = maxCount;
  if (truncateBefore !== undefined) metadata.truncateBefore = truncateBefore;
  return metadata;
}

export function isSoftDeleted(metadata: StreamMetadata | undefined): boolean {
  return (metadata?.truncateBefore ?? 0) >= Number.MAX_SAFE_INTEGER;
}

/** JSON for a metadata event, with `$tb` written exactly even when it is long.MaxValue. */
export function serializeMetadata(raw: Record<string, unknown>, truncateBefore: bigint): Buffer {
  const { $tb: _ignored, ...rest } = raw;
  const body = JSON.stringify(rest);
  const tb = `"$tb":${truncateBefore.toString()}`;
  return Buffer.from(body === '{}' ? `{${tb}}` : `{${tb},${body.slice(1)}`, 'utf8');
}

export function metastreamOf(stream: string): string {
  return `$$${stream}`;
}

export function isMetastream(stream: string): boolean {
  return stream.startsWith('$$');
}
