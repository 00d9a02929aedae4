import { type Document, isNumeric, toNumber } from '../data/bson-values.js';
import { isPlainObject } from '../data/paths.js';

/** Commands that change data or metadata, and so answer only once that change is durable. */
export const WRITE_COMMANDS = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'create',
  'drop',
  'dropDatabase',
  'renameCollection',
  'createIndexes',
  'dropIndexes',
  'deleteIndexes',
]);

/**
 * Whether a write's reply waits for the journal. A replica set's default write concern is
 * `{w: 'majority', j: true}` (writeConcernMajorityJournalDefault), so the answer comes only once
 * the write is journaled; here the single node's journal is the majority. Only an explicit
 * `w: 0` (no answer at all) or `j: false` asks for an answer before the disk.
 */
export function waitsForJournal(body: Document): boolean {
  const concern = body.writeConcern;
  if (!isPlainObject(concern)) return true;
  if (isNumeric(concern.w) && toNumber(concern.w) === 0) return false;
  return concern.j !== false || concern.fsync === true;
}
