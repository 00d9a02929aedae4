import type { Document } from '../data/bson-values.js';
import { encodeDocument } from '../data/bson-values.js';
import { isPlainObject } from '../data/paths.js';

/** An update event's `updateDescription`, as mongod 7.0 reports it. */
export interface UpdateDescription {
  readonly updatedFields: Document;
  readonly removedFields: readonly string[];
  readonly truncatedArrays: ReadonlyArray<{ field: string; newSize: number }>;
  /**
   * Each reported path that a reader cannot split on dots unambiguously (a field name that is
   * numeric or holds a dot), as its components: field names as strings, array indexes as ints.
   * mongod shows it only to streams opened with `showExpandedEvents`.
   */
  readonly disambiguatedPaths: Readonly<Document>;
}

/**
 * What most updates report as removed, truncated and disambiguated: nothing. One frozen empty
 * value for all of them, because the change history keeps up to `changeHistory` descriptions.
 */
const NO_PATHS: readonly string[] = Object.freeze([]);
const NO_TRUNCATIONS: UpdateDescription['truncatedArrays'] = Object.freeze([]);
const NO_DISAMBIGUATIONS: Readonly<Document> = Object.freeze({});

/** A path into a document: field names, and array indexes as numbers. */
type Path = Array<string | number>;

/**
 * `updateDescription` from the document before and after an update, computed the way mongod
 * computes an update's oplog diff (`doc_diff::computeOplogDiff`, which change streams then read):
 * - fields are compared in order; a field whose value differs is updated, or, when both sides
 *   are subdocuments (or both arrays), diffed inside, so `$set: {'a.b': 1}` reports `a.b`;
 * - arrays are compared index by index: changed elements are `arr.i` (diffed inside when both are
 *   documents or arrays), appended ones (`$push`) `arr.n`, `arr.n+1`…, and a shorter array is
 *   reported in `truncatedArrays` with its new size (pipeline updates, as the spec test shows);
 * - values compare as BSON bytes, so `1` and `1.0` differ as in mongod.
 * Unlike mongod's diff, no sub-diff is replaced by the whole value for being larger: the stand-in
 * cannot tell a modifier update (which mongod logs path by path) from a pipeline one.
 */
export function describeUpdate(before: Document, after: Document): UpdateDescription {
  const out = {
    updatedFields: {} as Document,
    removedFields: [] as string[],
    truncatedArrays: [] as Array<{ field: string; newSize: number }>,
    disambiguatedPaths: {} as Document,
  };
  const note = (path: Path): string => {
    const dotted = path.join('.');
    if (path.some(isAmbiguous)) out.disambiguatedPaths[dotted] = [...path];
    return dotted;
  };
  const diffDocuments = (pre: Document, post: Document, path: Path): void => {
    const preKeys = Object.keys(pre);
    const postKeys = Object.keys(post);
    const deletes = new Set<string>();
    let i = 0;
    let j = 0;
    while (i < preKeys.length && j < postKeys.length) {
      const key = preKeys[i]!;
      if (key !== postKeys[j]) {
        // Moved or removed: removed unless it appears again below, then it counts as updated.
        deletes.add(key);
        i++;
        continue;
      }
      diffValues(pre[key], post[key], [...path, key]);
      i++;
      j++;
    }
    for (; i < preKeys.length; i++) out.removedFields.push(note([...path, preKeys[i]!]));
    for (; j < postKeys.length; j++) {
      const key = postKeys[j]!;
      deletes.delete(key);
      out.updatedFields[note([...path, key])] = post[key];
    }
    for (const key of deletes) out.removedFields.push(note([...path, key]));
  };
  const diffArrays = (pre: unknown[], post: unknown[], path: Path): void => {
    const common = Math.min(pre.length, post.length);
    for (let k = 0; k < common; k++) diffValues(pre[k], post[k], [...path, k]);
    for (let k = common; k < post.length; k++) out.updatedFields[note([...path, k])] = post[k];
    if (pre.length > post.length)
      out.truncatedArrays.push({ field: note(path), newSize: post.length });
  };
  const diffValues = (pre: unknown, post: unknown, path: Path): void => {
    if (sameBson(pre, post)) return;
    if (isPlainObject(pre) && isPlainObject(post)) diffDocuments(pre, post, path);
    else if (Array.isArray(pre) && Array.isArray(post)) diffArrays(pre, post, path);
    else out.updatedFields[note(path)] = post;
  };
  diffDocuments(before, after, []);
  return {
    updatedFields: out.updatedFields,
    removedFields: out.removedFields.length > 0 ? out.removedFields : NO_PATHS,
    truncatedArrays: out.truncatedArrays.length > 0 ? out.truncatedArrays : NO_TRUNCATIONS,
    disambiguatedPaths:
      Object.keys(out.disambiguatedPaths).length > 0 ? out.disambiguatedPaths : NO_DISAMBIGUATIONS,
  };
}

/**
 * A field name that reads like an array index (mongod's strict numeric path component: digits,
 * no leading zero) or that contains a dot. Array indexes themselves are numbers, not ambiguous.
 */
function isAmbiguous(component: string | number): boolean {
  return (
    typeof component === 'string' &&
    (/^(0|[1-9][0-9]*)$/.test(component) || component.includes('.'))
  );
}

/** mongod's `binaryEqual`: same BSON type and bytes. */
function sameBson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return encodeDocument({ v: a }).equals(encodeDocument({ v: b }));
}
