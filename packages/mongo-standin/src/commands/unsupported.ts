import type { Document } from '../data/bson-values.js';
import { badValue, MongoCommandError, unknownField } from '../data/errors.js';
import { isPlainObject } from '../data/paths.js';
import { refuseCreateOptions } from './create-options.js';
import { checkReadConcern } from './read-concern.js';
import { ATLAS_SEARCH_STAGES, atlasOnlyStage } from './search-indexes.js';

/**
 * Features the stand-in does not implement are refused with mongod's error shape, naming the
 * feature, before anything runs: a command that answered "ok" and ignored them would give wrong
 * results silently.
 */
export function refuseUnsupported(name: string, body: Document): void {
  for (const collation of collationsOf(name, body)) refuseCollation(collation);
  checkReadConcern(name, body);
  if (name === 'aggregate' && Array.isArray(body.pipeline)) refuseStages(body.pipeline);
  if (name === 'create') {
    refuseCreateOptions(body);
    if (Array.isArray(body.pipeline)) refuseStages(body.pipeline);
  }
  if (name === 'update' && Array.isArray(body.updates)) {
    // `sort` in an update statement is MongoDB 8.0; this stand-in answers as 7.0 does.
    if (body.updates.some((u) => isPlainObject(u) && u.sort !== undefined)) {
      throw unknownField('update.updates.sort');
    }
  }
}

/** Where each command carries a collation: on the command, its statements or its indexes. */
function collationsOf(name: string, body: Document): unknown[] {
  const inEach = (list: unknown) =>
    Array.isArray(list)
      ? list.map((item) => (isPlainObject(item) ? item.collation : undefined))
      : [];
  switch (name) {
    case 'update':
      return inEach(body.updates);
    case 'delete':
      return inEach(body.deletes);
    case 'createIndexes':
      return inEach(body.indexes);
    case 'explain':
      return isPlainObject(body.explain) ? [body.explain.collation] : [];
    default:
      return [body.collation];
  }
}

/**
 * Only the simple collation (binary comparison of UTF-8 bytes) is what the stand-in does.
 * mongod answers BadValue (2) for a collation locale it does not have; so does the stand-in for
 * every locale but "simple".
 */
function refuseCollation(collation: unknown): void {
  if (collation === undefined || collation === null) return;
  if (isPlainObject(collation) && collation.locale === 'simple') return;
  throw badValue(
    `collation is not supported by the Tally embedded MongoDB stand-in (only {locale: "simple"}, binary comparison, is): ${JSON.stringify(collation)}`,
  );
}

/** Stages that write to collections; mongod's answer for a stage it does not know is 40324. */
const WRITING_STAGES = new Set(['$out', '$merge']);

export function refuseStages(pipeline: unknown[]): void {
  for (const stage of pipeline) {
    if (!isPlainObject(stage)) continue;
    const stageName = Object.keys(stage)[0] ?? '';
    if (ATLAS_SEARCH_STAGES.has(stageName)) throw atlasOnlyStage(stageName);
    if (WRITING_STAGES.has(stageName)) {
      throw new MongoCommandError(
        40324,
        `Unrecognized pipeline stage name: '${stageName}' (the Tally embedded MongoDB stand-in does not write from aggregations)`,
        'Location40324',
      );
    }
    // Sub-pipelines: $facet's branches, $lookup's and $unionWith's pipelines.
    const args = stage[stageName];
    if (stageName === '$facet' && isPlainObject(args)) {
      for (const branch of Object.values(args)) if (Array.isArray(branch)) refuseStages(branch);
    } else if (isPlainObject(args) && Array.isArray(args.pipeline)) refuseStages(args.pipeline);
  }
}
