import type { Timestamp } from 'bson';
import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import type { ChangeRecord } from './change-record.js';

/** The `$changeStream` options that shape each event. */
export interface EventOptions {
  /** The stream watches one collection (it ends on its drop or rename). */
  collectionStream: boolean;
  showExpandedEvents: boolean;
  fullDocument: 'default' | 'updateLookup' | 'whenAvailable' | 'required';
  fullDocumentBeforeChange: 'off' | 'whenAvailable' | 'required';
}

/** Reads a document as it is now, for `fullDocument: 'updateLookup'`. */
export type LookupCurrent = (db: string, coll: string, id: unknown) => Document | undefined;

export function resumeToken(seq: number, invalidate = false): Document {
  return { _data: `82${seq.toString(16).padStart(16, '0')}${invalidate ? '01' : '00'}` };
}

/**
 * The change events of one record, shaped and ordered as mongod 7.0's
 * (`ChangeStreamDefaultEventTransformation`): `_id, operationType, clusterTime, collectionUUID
 * (showExpandedEvents), wallTime, fullDocument, ns, documentKey, operationDescription
 * (showExpandedEvents), updateDescription, stateBeforeChange`, then the looked-up or post-image
 * `fullDocument` of updates and `fullDocumentBeforeChange`. A drop or rename ending a collection
 * stream, or a dropDatabase ending a database stream, is followed by `invalidate`.
 */
export function toEvents(
  rec: ChangeRecord,
  options: EventOptions,
  lookup: LookupCurrent,
): { events: Document[]; invalidates: boolean } {
  const event: Document = {
    _id: resumeToken(rec.seq),
    operationType: rec.operationType,
    clusterTime: rec.clusterTime,
  };
  if (options.showExpandedEvents && rec.collectionUUID) event.collectionUUID = rec.collectionUUID;
  event.wallTime = rec.wallTime;
  if (rec.operationType === 'insert' || rec.operationType === 'replace')
    event.fullDocument = rec.fullDocument;
  event.ns = rec.coll === undefined ? { db: rec.db } : { db: rec.db, coll: rec.coll };
  if (rec.to) event.to = rec.to;
  if (rec.documentKey) event.documentKey = rec.documentKey;
  if (options.showExpandedEvents && rec.operationDescription)
    event.operationDescription = rec.operationDescription;
  if (rec.updateDescription) {
    const { disambiguatedPaths, ...description } = rec.updateDescription;
    event.updateDescription = options.showExpandedEvents
      ? { ...description, disambiguatedPaths }
      : description;
  }
  if (rec.stateBeforeChange) event.stateBeforeChange = rec.stateBeforeChange;
  if (rec.operationType === 'update') addPostImage(event, rec, options, lookup);
  if (
    options.fullDocumentBeforeChange !== 'off' &&
    (rec.operationType === 'update' ||
      rec.operationType === 'replace' ||
      rec.operationType === 'delete')
  ) {
    if (!rec.preImage && options.fullDocumentBeforeChange === 'required') {
      throw imageNotFound(
        'Change stream was configured to require a pre-image for all update, delete and replace events, but the pre-image was not found for event: ',
        rec,
      );
    }
    event.fullDocumentBeforeChange = rec.preImage ?? null;
  }
  const invalidates = options.collectionStream
    ? rec.operationType === 'drop' || rec.operationType === 'rename'
    : rec.operationType === 'dropDatabase';
  if (!invalidates) return { events: [event], invalidates };
  const invalidate = {
    _id: resumeToken(rec.seq, true),
    operationType: 'invalidate',
    clusterTime: rec.clusterTime,
    wallTime: rec.wallTime,
  };
  return { events: [event, invalidate], invalidates };
}

function addPostImage(
  event: Document,
  rec: ChangeRecord,
  options: EventOptions,
  lookup: LookupCurrent,
): void {
  switch (options.fullDocument) {
    case 'default':
      return;
    case 'updateLookup':
      event.fullDocument = lookup(rec.db, rec.coll!, rec.documentKey!._id) ?? null;
      return;
    case 'whenAvailable':
    case 'required':
      // mongod computes the post-image from the recorded pre-image: there is one only when the
      // collection had changeStreamPreAndPostImages enabled when the update was written.
      if (!rec.fullDocument && options.fullDocument === 'required') {
        throw imageNotFound(
          'Change stream was configured to require a post-image for all update events, but the post-image was not found for event: ',
          rec,
        );
      }
      event.fullDocument = rec.fullDocument ?? null;
  }
}

/** 47 NoMatchingDocument, with the event summary mongod appends to the message. */
function imageNotFound(message: string, rec: ChangeRecord): MongoCommandError {
  const time = rec.clusterTime as Timestamp;
  const summary = `{operationType: "${rec.operationType}", ns: {db: "${rec.db}", coll: "${rec.coll}"}, clusterTime: Timestamp(${time.high}, ${time.low})}`;
  return new MongoCommandError(47, message + summary, 'NoMatchingDocument');
}
