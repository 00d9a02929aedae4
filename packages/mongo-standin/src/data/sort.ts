import type { Document } from './bson-values.js';
import { compareValues } from './compare.js';
import { badValue } from './errors.js';
import { getPath } from './paths.js';

/**
 * Sorting by BSON order (compareValues). An array field sorts by its smallest element
 * ascending and its largest descending, as MongoDB does.
 */
export function sortComparator(spec: Document): (a: Document, b: Document) => number {
  const keys = Object.entries(spec).map(([path, dir]) => {
    const direction = Number(
      typeof dir === 'object' && dir !== null ? (dir as { value?: number }).value : dir,
    );
    if (direction !== 1 && direction !== -1)
      throw badValue(`$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    return { path, direction };
  });
  return (a, b) => {
    for (const { path, direction } of keys) {
      const c = compareValues(sortValue(a, path, direction), sortValue(b, path, direction));
      if (c !== 0) return c * direction;
    }
    return 0;
  };
}

function sortValue(doc: Document, path: string, direction: number): unknown {
  const value = getPath(doc, path);
  if (!Array.isArray(value)) return value;
  if (value.length === 0) return undefined;
  return value.reduce((best, v) => (compareValues(v, best) * direction < 0 ? v : best));
}

export function sortDocuments(docs: Document[], spec: Document | undefined): Document[] {
  if (!spec || Object.keys(spec).length === 0) return docs;
  if ('$natural' in spec) return spec.$natural === -1 ? docs.reverse() : docs;
  return docs.sort(sortComparator(spec));
}
