import type { Document } from './bson-values.js';

const isDigits = (s: string) => /^\d+$/.test(s);

export function isPlainObject(value: unknown): value is Document {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    (value as { _bsontype?: string })._bsontype === undefined &&
    !(value instanceof Date) &&
    !(value instanceof RegExp) &&
    !ArrayBuffer.isView(value)
  );
}

/**
 * Every value a query predicate on `path` must consider, following MongoDB's rules: arrays met
 * along the path are traversed element by element, and an array at the end contributes itself
 * and each of its elements. A path that leads nowhere contributes `undefined` (missing).
 */
export function candidateValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  if (out.length === 0) out.push(undefined);
  return out;
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    out.push(value);
    if (Array.isArray(value)) for (const el of value) out.push(el);
    return;
  }
  const part = parts[i]!;
  if (Array.isArray(value)) {
    if (isDigits(part)) collect(value[Number(part)], parts, i + 1, out);
    for (const el of value) if (isPlainObject(el) || Array.isArray(el)) collect(el, parts, i, out);
    return;
  }
  if (isPlainObject(value)) {
    collect(value[part], parts, i + 1, out);
    return;
  }
  out.push(undefined);
}

/** The value at a dotted path, without array traversal (numeric parts index arrays). */
export function getPath(doc: unknown, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(value) && isDigits(part)) value = value[Number(part)];
    else if (isPlainObject(value)) value = value[part];
    else return undefined;
  }
  return value;
}

/** Sets a dotted path, creating intermediate documents as MongoDB's $set does. */
export function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let target: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const container = target as Record<string, unknown>;
    let next = Array.isArray(container) ? container[Number(part)] : container[part];
    if (next === undefined || next === null) {
      next = {};
      if (Array.isArray(container)) container[Number(part)] = next;
      else container[part] = next;
    } else if (typeof next !== 'object' || next instanceof Date) {
      throw new PathConflict(path, part);
    }
    target = next;
  }
  const last = parts[parts.length - 1]!;
  if (Array.isArray(target)) {
    const index = Number(last);
    while (target.length < index) target.push(null);
    target[index] = value;
  } else (target as Document)[last] = value;
}

export function unsetPath(doc: Document, path: string): boolean {
  const parts = path.split('.');
  let target: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    target = Array.isArray(target) ? target[Number(parts[i])] : (target as Document)?.[parts[i]!];
    if (target === null || typeof target !== 'object') return false;
  }
  const last = parts[parts.length - 1]!;
  if (Array.isArray(target)) {
    const index = Number(last);
    if (index >= target.length) return false;
    target[index] = null; // $unset on an array element leaves null, as in MongoDB
    return true;
  }
  const container = target as Document;
  if (!(last in container)) return false;
  delete container[last];
  return true;
}

export class PathConflict extends Error {
  constructor(
    readonly path: string,
    readonly part: string,
  ) {
    super(`Cannot create field '${part}' in element for path '${path}'`);
  }
}
