/**
 * Folded states as JSON, for snapshots. A state may hold what JSON cannot (Sets, Maps,
 * undefined fields, Dates, bigints) and long immutable linked lists (`{ head, rest }` chains, see
 * src/domain/chain.ts) that would overflow the stack if written as nested objects. Each is
 * written as a tagged value `{ "$t": tag, "v": … }`, explicitly, so decoding gives back exactly
 * what was encoded; a plain object that itself has a "$t" key is tagged too. Anything else
 * (functions, class instances) is refused: such a state cannot be snapshotted faithfully.
 */
type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

export class StateCodecError extends Error {}

export function encodeState(value: unknown): Encoded {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new StateCodecError(`cannot encode the number ${value}`);
    return value;
  }
  if (value === undefined) return { $t: 'undefined' };
  if (typeof value === 'bigint') return { $t: 'bigint', v: value.toString() };
  if (Array.isArray(value)) return value.map(encodeState);
  if (value instanceof Set) return { $t: 'Set', v: [...value].map(encodeState) };
  if (value instanceof Map) {
    return { $t: 'Map', v: [...value].map(([k, v]) => [encodeState(k), encodeState(v)]) };
  }
  if (value instanceof Date) return { $t: 'Date', v: value.toISOString() };
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    if (isChainLink(value)) return { $t: 'Chain', v: chainItems(value).map(encodeState) };
    const fields: Record<string, Encoded> = {};
    for (const [k, v] of Object.entries(value)) fields[k] = encodeState(v);
    return '$t' in fields ? { $t: 'Object', v: fields } : fields;
  }
  throw new StateCodecError(`cannot encode a ${typeof value} (${String(value)})`);
}

export function decodeState(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeState);
  const record = value as Record<string, unknown>;
  if (!('$t' in record)) {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) fields[k] = decodeState(v);
    return fields;
  }
  const items = () => {
    if (!Array.isArray(record.v)) throw new StateCodecError(`${String(record.$t)} without items`);
    return record.v as unknown[];
  };
  switch (record.$t) {
    case 'undefined':
      return undefined;
    case 'bigint':
      return BigInt(String(record.v));
    case 'Set':
      return new Set(items().map(decodeState));
    case 'Map':
      return new Map(
        items().map((entry) => {
          if (!Array.isArray(entry) || entry.length !== 2) {
            throw new StateCodecError('a Map entry is not a [key, value] pair');
          }
          return [decodeState(entry[0]), decodeState(entry[1])] as const;
        }),
      );
    case 'Date': {
      const date = new Date(String(record.v));
      if (Number.isNaN(date.getTime())) throw new StateCodecError('an invalid Date');
      return date;
    }
    case 'Chain': {
      let chain: unknown;
      const decoded = items().map(decodeState);
      for (let i = decoded.length - 1; i >= 0; i--) chain = { head: decoded[i], rest: chain };
      return chain;
    }
    case 'Object': {
      const inner = record.v;
      if (!inner || typeof inner !== 'object' || Array.isArray(inner)) {
        throw new StateCodecError('an Object tag without fields');
      }
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(inner)) fields[k] = decodeState(v);
      return fields;
    }
    default:
      throw new StateCodecError(`unknown tag ${JSON.stringify(record.$t)}`);
  }
}

/** A link of an immutable list: exactly `head` and `rest`, where `rest` is a link or undefined. */
function isChainLink(value: object): value is { head: unknown; rest: unknown } {
  const keys = Object.keys(value);
  if (keys.length !== 2 || !('head' in value) || !('rest' in value)) return false;
  const rest = (value as { rest: unknown }).rest;
  return (
    rest === undefined ||
    (typeof rest === 'object' && rest !== null && Object.getPrototypeOf(rest) === Object.prototype)
  );
}

function chainItems(link: { head: unknown; rest: unknown }): unknown[] {
  const items: unknown[] = [];
  let current: unknown = link;
  while (current !== undefined) {
    if (typeof current !== 'object' || current === null || !isChainLink(current)) {
      throw new StateCodecError('a chain whose rest is not a chain');
    }
    items.push(current.head);
    current = current.rest;
  }
  return items;
}

/**
 * The shape of a state: its top-level field names, sorted. A snapshot records it; one whose
 * shape differs from what today's evolve produces is from an older (or newer) version of the
 * state and is ignored.
 */
export function stateShape(state: unknown): string {
  if (!state || typeof state !== 'object') return typeof state;
  return Object.keys(state).sort().join(',');
}
