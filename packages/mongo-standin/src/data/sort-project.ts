import { Query } from 'mingo/query';
import type { Document } from './bson-values.js';
import { fromMingo } from './errors.js';

export { sortComparator, sortDocuments } from './sort.js';

import { mingoOptions } from './query.js';

/** Projection is mingo's (inclusion, exclusion, $slice, $elemMatch, positional). */
export function projectDocuments(
  docs: Document[],
  projection: Document | undefined,
  filter?: Document,
): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  try {
    return new Query(filter ?? {}, mingoOptions()).find(docs, projection).all() as Document[];
  } catch (error) {
    throw fromMingo(error);
  }
}
