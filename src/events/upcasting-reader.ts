import {
  type EventStoreDBClient,
  type JSONRecordedEvent,
  START,
  StreamNotFoundError,
} from '@eventstore/db-client';
import { type RecordedEvent, type StoredEvent, storedEventOf } from './recorded-event.js';
import { isLegacy, needsStream, StreamUpcaster, upcast } from './upcast.js';
import { emptyStream, type StreamSoFar, streamAfter } from './upcaster.js';

/**
 * Upcasts events read one at a time, in any order: from $all (projector, process manager),
 * from a page of history, or from a stream read that started after its beginning.
 *
 * Most events need nothing but themselves. A legacy event whose upcaster needs the stream before
 * it (a v1 deposit needs the currency and the balance) gets it from a small cache of where each
 * stream stood after its last legacy event: events reach a reader in stream order, so a run of
 * legacy events costs nothing more. Otherwise the stream's earlier events are read and folded
 * once, so the answer is the same whatever the reader and wherever it started.
 */
export class UpcastingReader {
  readonly #streams = new Map<string, StreamSoFar>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly maxStreams = 10_000,
  ) {}

  /** The event in its current shape. Throws an UpcastError naming an event it cannot read. */
  async upcast(stored: StoredEvent): Promise<RecordedEvent> {
    const { streamId, revision } = stored;
    const known = this.#streams.get(streamId);
    // `before` is set only when it is exact: the stream's start, or the event right after a
    // remembered one, or the stream read up to here because an upcaster needs it.
    let before =
      revision === 0 ? emptyStream(streamId) : known?.revision === revision - 1 ? known : undefined;
    if (!before && needsStream(stored)) before = await this.streamBefore(streamId, revision);
    const event = upcast(stored, before ?? emptyStream(streamId));
    if (before && (isLegacy(stored) || known)) {
      this.#remember(streamAfter(before, revision, event.data));
    } else if (known) {
      this.#streams.delete(streamId);
    }
    return event;
  }

  /**
   * An upcaster for one stream read forwards from `fromRevision`: it carries the stream along
   * itself, and asks for the part before `fromRevision` only if a legacy event needs it.
   */
  inOrder(streamId: string, fromRevision: number): (stored: StoredEvent) => Promise<RecordedEvent> {
    let before: StreamSoFar | undefined = fromRevision <= 0 ? emptyStream(streamId) : undefined;
    return async (stored) => {
      if (!before && needsStream(stored))
        before = await this.streamBefore(streamId, stored.revision);
      const event = upcast(stored, before ?? emptyStream(streamId));
      if (before) before = streamAfter(before, stored.revision, event.data);
      return event;
    };
  }

  /** The stream up to (not including) `revision`, folded from its first event. */
  async streamBefore(streamId: string, revision: number): Promise<StreamSoFar> {
    const known = this.#streams.get(streamId);
    if (known?.revision === revision - 1) return known;
    const reader = new StreamUpcaster(emptyStream(streamId));
    if (revision <= 0) return reader.before;
    const events: StoredEvent[] = [];
    try {
      // Read to the end of the range before folding: a read left early keeps its call open.
      for await (const resolved of this.client.readStream(streamId, {
        fromRevision: START,
        maxCount: revision,
      })) {
        const event = resolved.event as JSONRecordedEvent | undefined;
        if (event && Number(event.revision) < revision) events.push(storedEventOf(event));
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    for (const event of events) reader.next(event);
    return reader.before;
  }

  #remember(stream: StreamSoFar): void {
    this.#streams.delete(stream.streamId);
    this.#streams.set(stream.streamId, stream);
    if (this.#streams.size > this.maxStreams) {
      const oldest = this.#streams.keys().next().value;
      if (oldest !== undefined) this.#streams.delete(oldest);
    }
  }
}

const readers = new WeakMap<EventStoreDBClient, UpcastingReader>();

/** The reader shared by everything reading through one client (the cache is per store). */
export function upcastingReaderFor(client: EventStoreDBClient): UpcastingReader {
  let reader = readers.get(client);
  if (!reader) {
    reader = new UpcastingReader(client);
    readers.set(client, reader);
  }
  return reader;
}
