import type { Position } from '@eventstore/db-client';
import type { Collection, Db, Long } from 'mongodb';
import { fromLong, toLong } from '../position.js';
import type { RecordedEvent } from '../recorded-event.js';

/**
 * An event a consumer could not apply after every retry. The consumer moved on; the document
 * says what failed and where the event is, so it can be replayed once the fault is fixed.
 */
export interface ParkedEventDocument {
  /** `<consumer>:<streamId>:<revision>`: parking the same event again updates it. */
  _id: string;
  consumer: string;
  streamId: string;
  revision: number;
  position: Long;
  prepare: Long;
  eventType: string;
  /** The last error, with its stack when it has one. */
  error: string;
  attempts: number;
  parkedAt: Date;
}

/** A parked event as the API and the CLI see it. */
export interface ParkedEvent {
  id: string;
  consumer: string;
  streamId: string;
  revision: number;
  position: Position;
  eventType: string;
  error: string;
  attempts: number;
  parkedAt: Date;
}

export interface ParkedEventPage {
  events: ParkedEvent[];
  hasNextPage: boolean;
}

/** The parked events of every consumer, in the `parked_events` collection of the read-model database. */
export class ParkedEventStore {
  static readonly COLLECTION = 'parked_events';

  /** The store in the read-model database (the one that holds the checkpoints). */
  static inDatabase(db: Db): ParkedEventStore {
    return new ParkedEventStore(db.collection<ParkedEventDocument>(ParkedEventStore.COLLECTION));
  }

  constructor(private readonly collection: Collection<ParkedEventDocument>) {}

  async park(
    consumer: string,
    event: RecordedEvent,
    failure: { error: unknown; attempts: number },
    now: Date,
  ): Promise<ParkedEvent> {
    const _id = `${consumer}:${event.streamId}:${event.revision}`;
    const fields: Omit<ParkedEventDocument, '_id'> = {
      consumer,
      streamId: event.streamId,
      revision: event.revision,
      position: toLong(event.position.commit),
      prepare: toLong(event.position.prepare),
      eventType: event.type,
      error: describe(failure.error),
      attempts: failure.attempts,
      parkedAt: now,
    };
    await this.collection.updateOne({ _id }, { $set: fields }, { upsert: true });
    return toParkedEvent({ _id, ...fields });
  }

  async get(id: string): Promise<ParkedEvent | undefined> {
    const doc = await this.collection.findOne({ _id: id });
    return doc ? toParkedEvent(doc) : undefined;
  }

  /** In $all order; `after` is the cursor of the last event of the previous page. */
  async list(first: number, after?: string): Promise<ParkedEventPage> {
    const events = await this.find({ limit: first + 1, ...(after ? { after } : {}) });
    return { events: events.slice(0, first), hasNextPage: events.length > first };
  }

  /**
   * Up to `limit` events between the cursors, in $all order, or from the end backwards when
   * `inverted` (a page of `last` events, as Relay connections ask for).
   */
  async find(page: {
    limit: number;
    after?: string;
    before?: string;
    inverted?: boolean;
  }): Promise<ParkedEvent[]> {
    const bounds: object[] = [];
    if (page.after) bounds.push(beyond(page.after, '$gt'));
    if (page.before) bounds.push(beyond(page.before, '$lt'));
    const order = page.inverted ? -1 : 1;
    const docs = await this.collection
      .find(bounds.length > 0 ? { $and: bounds } : {})
      .sort({ position: order, _id: order })
      .limit(page.limit)
      .toArray();
    return docs.map(toParkedEvent);
  }

  async count(): Promise<number> {
    return this.collection.countDocuments();
  }

  /** A replay failed again: keep the event parked with the new error. */
  async recordFailedReplay(id: string, error: unknown): Promise<void> {
    await this.collection.updateOne(
      { _id: id },
      { $set: { error: describe(error) }, $inc: { attempts: 1 } },
    );
  }

  async remove(id: string): Promise<void> {
    await this.collection.deleteOne({ _id: id });
  }
}

/**
 * An opaque cursor: the event's position and id, not a skip count, so paging is stable while
 * events are parked and replayed.
 */
export function parkedEventCursor(event: ParkedEvent): string {
  return Buffer.from(`${event.position.commit}|${event.id}`).toString('base64url');
}

function beyond(cursor: string, direction: '$gt' | '$lt'): object {
  const [commit, id] = cursorParts(cursor);
  return {
    $or: [{ position: { [direction]: commit } }, { position: commit, _id: { [direction]: id } }],
  };
}

function cursorParts(cursor: string): [Long, string] {
  const [commit = '0', ...id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  return [toLong(BigInt(/^\d+$/.test(commit) ? commit : '0')), id.join('|')];
}

function toParkedEvent(doc: ParkedEventDocument): ParkedEvent {
  return {
    id: doc._id,
    consumer: doc.consumer,
    streamId: doc.streamId,
    revision: doc.revision,
    position: { commit: fromLong(doc.position), prepare: fromLong(doc.prepare) },
    eventType: doc.eventType,
    error: doc.error,
    attempts: doc.attempts,
    parkedAt: doc.parkedAt,
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
