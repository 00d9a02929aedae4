import { type Binary, Timestamp } from 'bson';
import type { Document } from '../data/bson-values.js';
import type { IndexSpec } from '../data/secondary-index.js';
import type { Collection } from '../storage/collection.js';
import type { StoreEvent } from '../storage/store.js';
import { describeUpdate, type UpdateDescription } from './update-description.js';

export type OperationType =
  | 'insert'
  | 'update'
  | 'replace'
  | 'delete'
  | 'drop'
  | 'rename'
  | 'dropDatabase'
  | 'create'
  | 'createIndexes'
  | 'dropIndexes'
  | 'modify';

/** DDL events that mongod shows only to streams opened with `showExpandedEvents: true`. */
export const EXPANDED_ONLY: ReadonlySet<OperationType> = new Set([
  'create',
  'createIndexes',
  'dropIndexes',
  'modify',
]);

/** What a store event records, before the history gives it its place and time. */
export interface ChangeShape {
  operationType: OperationType;
  db: string;
  coll?: string;
  /** The collection's UUID (every event but dropDatabase), shown with showExpandedEvents. */
  collectionUUID?: Binary;
  /** For rename: the new namespace. */
  to?: { db: string; coll: string };
  /** The `_id` of the document written (insert, update, replace, delete). */
  documentId?: unknown;
  /**
   * insert and replace: the document written. update: the post-image, kept only when the
   * collection had changeStreamPreAndPostImages enabled at the time of the write.
   */
  fullDocument?: Document;
  /** update, replace, delete: the document before, kept only while pre-images were enabled. */
  preImage?: Document;
  updateDescription?: UpdateDescription;
  /** DDL events (and rename) with showExpandedEvents. */
  operationDescription?: Document;
  /** modify: the collection options before collMod. */
  stateBeforeChange?: Document;
}

/** A change to a collection or database rather than to a document: it has no documentKey. */
const NO_DOCUMENT_KEY = Symbol('no document key');

/**
 * One recorded change, in the order writes happened (an oplog entry, for change streams).
 *
 * Compact, because the history keeps `changeHistory` of them (100,000 by default): every field
 * is a slot of one fixed shape, the times are numbers, and the Timestamp, Date and documentKey an
 * event shows are made when it is read. As plain objects, with a Timestamp, a Date (91 bytes: V8
 * caches the broken-down date in each) and a key object apiece, records took about 450 bytes
 * each in a heap snapshot under Tally's load; the documents they point to are shared with the
 * collections.
 */
export class ChangeRecord {
  readonly operationType: OperationType;
  readonly db: string;
  readonly coll: string | undefined;
  readonly collectionUUID: Binary | undefined;
  readonly to: { db: string; coll: string } | undefined;
  readonly fullDocument: Document | undefined;
  readonly preImage: Document | undefined;
  readonly updateDescription: UpdateDescription | undefined;
  readonly operationDescription: Document | undefined;
  readonly stateBeforeChange: Document | undefined;
  readonly #seconds: number;
  readonly #increment: number;
  readonly #wallMs: number;
  /** The written document's `_id`, or NO_DOCUMENT_KEY for collection and database events. */
  readonly #documentId: unknown;

  constructor(
    readonly seq: number,
    clusterTime: Timestamp,
    wallMs: number,
    shape: ChangeShape,
  ) {
    this.operationType = shape.operationType;
    this.db = shape.db;
    this.coll = shape.coll;
    this.collectionUUID = shape.collectionUUID;
    this.to = shape.to;
    this.fullDocument = shape.fullDocument;
    this.preImage = shape.preImage;
    this.updateDescription = shape.updateDescription;
    this.operationDescription = shape.operationDescription;
    this.stateBeforeChange = shape.stateBeforeChange;
    this.#seconds = clusterTime.t;
    this.#increment = clusterTime.i;
    this.#wallMs = wallMs;
    this.#documentId = 'documentId' in shape ? shape.documentId : NO_DOCUMENT_KEY;
  }

  get clusterTime(): Timestamp {
    return new Timestamp({ t: this.#seconds, i: this.#increment });
  }

  get wallTime(): Date {
    return new Date(this.#wallMs);
  }

  /** `{_id}` of the document written; undefined for collection and database events. */
  get documentKey(): Document | undefined {
    return this.#documentId === NO_DOCUMENT_KEY ? undefined : { _id: this.#documentId };
  }
}

/** What a store event becomes in the change history (without its position and time). */
export function recordShape(event: StoreEvent): ChangeShape | undefined {
  switch (event.kind) {
    case 'insert': {
      return {
        operationType: 'insert',
        ...namespaceOf(event.collection),
        documentId: event.after._id,
        fullDocument: event.after,
      };
    }
    case 'update':
    case 'replace': {
      const images = event.collection.recordsImages;
      return {
        operationType: event.kind,
        ...namespaceOf(event.collection),
        documentId: event.after._id,
        ...(event.kind === 'replace' || images ? { fullDocument: event.after } : {}),
        ...(images ? { preImage: event.before } : {}),
        ...(event.kind === 'update'
          ? { updateDescription: describeUpdate(event.before, event.after) }
          : {}),
      };
    }
    case 'delete': {
      return {
        operationType: 'delete',
        ...namespaceOf(event.collection),
        documentId: event.before._id,
        ...(event.collection.recordsImages ? { preImage: event.before } : {}),
      };
    }
    case 'createCollection': {
      return {
        operationType: 'create',
        ...namespaceOf(event.collection),
        // mongod's create oplog entry: the collection's options, then its _id index.
        operationDescription: {
          ...event.collection.options,
          idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
        },
      };
    }
    case 'createIndex':
    case 'dropIndex': {
      return {
        operationType: event.kind === 'createIndex' ? 'createIndexes' : 'dropIndexes',
        ...namespaceOf(event.collection),
        operationDescription: { indexes: [indexDescription(event.spec)] },
      };
    }
    case 'modify': {
      return {
        operationType: 'modify',
        ...namespaceOf(event.collection),
        operationDescription: { ...event.changes },
        stateBeforeChange: {
          collectionOptions: { uuid: event.collection.uuid, ...event.before },
        },
      };
    }
    case 'drop':
      return { operationType: 'drop', db: event.db, coll: event.coll, collectionUUID: event.uuid };
    case 'dropDatabase':
      return { operationType: 'dropDatabase', db: event.db };
    case 'rename': {
      const to = { db: event.toDb, coll: event.to };
      return {
        operationType: 'rename',
        db: event.db,
        coll: event.coll,
        collectionUUID: event.uuid,
        to,
        operationDescription: {
          to,
          ...(event.droppedTarget ? { dropTarget: event.droppedTarget } : {}),
        },
      };
    }
  }
}

/** Where a change happened: the collection's namespace and identity, as every event names them. */
function namespaceOf(collection: Collection): Pick<ChangeShape, 'db' | 'coll' | 'collectionUUID'> {
  return { db: collection.db, coll: collection.name, collectionUUID: collection.uuid };
}

/** An index as mongod's DDL events describe it: `{v: 2, key, name, ...options}`. */
function indexDescription(spec: IndexSpec): Document {
  const { key, name, ...options } = spec;
  return { v: 2, key, name, ...options };
}
