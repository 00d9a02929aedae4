import type { Document } from '../data/bson-values.js';
import {
  isNonResumableChangeStreamCode,
  isResumableChangeStreamCode,
  isRetriableError,
} from '../data/error-codes.js';
import { isPlainObject } from '../data/paths.js';

/**
 * The `errorLabels` mongod adds to a reply (src/mongo/db/error_labels.cpp), in one place:
 * - `RetryableWriteError` when a retryable write (`txnNumber` without `autocommit`) fails with a
 *   code of the RetriableError category, or its writeConcernError has one. Since 4.4 the server
 *   adds this label and drivers retry on the label alone (the node driver checks nothing else).
 * - `ResumableChangeStreamError` when a `$changeStream` aggregate fails with a retriable,
 *   network, retargetting, 234 or 133 code (the getMore case is decided where the cursor is
 *   known, see fail-points.ts: mongod labels a getMore only once its cursor was checked out).
 * - `NonResumableChangeStreamError` for 280 and 286.
 * A failCommand fail point with `errorLabels` replaces all of them (`override`), as mongod does.
 */
export function withErrorLabels(
  name: string,
  body: Document,
  reply: Document,
  override: string[] | undefined,
): Document {
  const code = reply.ok === 0 && typeof reply.code === 'number' ? reply.code : undefined;
  const concernError = isPlainObject(reply.writeConcernError) ? reply.writeConcernError : undefined;
  const concernCode = typeof concernError?.code === 'number' ? concernError.code : undefined;
  // Labels belong to failures only: a blocked command that then succeeds gets none.
  if (code === undefined && concernError === undefined) return reply;
  if (override !== undefined) {
    const { errorLabels: _, ...rest } = reply;
    return override.length > 0 ? { ...rest, errorLabels: override } : rest;
  }
  const labels = new Set<string>(Array.isArray(reply.errorLabels) ? reply.errorLabels : []);
  const retryableWrite = body.txnNumber !== undefined && body.autocommit === undefined;
  if (
    retryableWrite &&
    ((code !== undefined && isRetriableError(code)) ||
      (concernCode !== undefined && isRetriableError(concernCode)))
  ) {
    labels.add('RetryableWriteError');
  } else if (
    name === 'aggregate' &&
    code !== undefined &&
    concernCode === undefined &&
    isResumableChangeStreamCode(code) &&
    opensChangeStream(body)
  ) {
    labels.add('ResumableChangeStreamError');
  } else if (code !== undefined && isNonResumableChangeStreamCode(code)) {
    labels.add('NonResumableChangeStreamError');
  }
  return labels.size > 0 ? { ...reply, errorLabels: [...labels] } : reply;
}

function opensChangeStream(body: Document): boolean {
  const first = Array.isArray(body.pipeline) ? body.pipeline[0] : undefined;
  return isPlainObject(first) && '$changeStream' in first;
}
