import { EventEmitter } from 'node:events';
import type { ChangeStream, ChangeStreamDocument, Collection, Document } from 'mongodb';
import type { Logger } from '../logger.js';

export type Change<Doc extends Document> = ChangeStreamDocument<Doc>;
type Listener<Doc extends Document> = (change: Change<Doc>) => void;

/**
 * One MongoDB change stream per collection per process, fanned out to subscribers by key
 * (an account id). A thousand idle subscribers cost one open cursor, not a thousand.
 * The driver resumes the stream with its resume token after a transient failure.
 */
export class ChangeFeed<Doc extends Document> extends EventEmitter<{ listeners: [count: number] }> {
  #stream: ChangeStream<Doc> | undefined;
  #ready: Promise<void> | undefined;
  #listeners = new Map<string, Set<Listener<Doc>>>();
  #streamsOpened = 0;

  constructor(
    private readonly collection: Collection<Doc>,
    private readonly keyOf: (change: Change<Doc>) => string | undefined,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Registers a listener for one key; returns the function that removes it. */
  subscribe(key: string, listener: Listener<Doc>): () => void {
    const listeners = this.#listeners.get(key) ?? new Set<Listener<Doc>>();
    this.#listeners.set(key, listeners);
    listeners.add(listener);
    this.emit('listeners', this.stats().listeners);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(key);
      this.emit('listeners', this.stats().listeners);
    };
  }

  /**
   * Resolves once the change stream is open on the server. A subscriber reads its catch-up
   * data only after this, so no change can fall between the read and the stream.
   */
  ready(): Promise<void> {
    this.#ready ??= this.open();
    return this.#ready;
  }

  /**
   * Diagnostics: how many subscribers listen, and how many change streams were ever opened.
   * A 'listeners' event carries the new count whenever it changes.
   */
  stats(): { listeners: number; streamsOpened: number } {
    let listeners = 0;
    for (const set of this.#listeners.values()) listeners += set.size;
    return { listeners, streamsOpened: this.#streamsOpened };
  }

  async close(): Promise<void> {
    const stream = this.#stream;
    this.#stream = undefined;
    this.#ready = undefined;
    await stream?.close();
  }

  /**
   * Opens the change stream. tryNext() runs the aggregate that opens it on the server, so once
   * it returns, every later write is in the stream; then a background loop drains it.
   */
  private async open(): Promise<void> {
    const stream = this.collection.watch<Doc>(
      [{ $match: { operationType: { $in: ['insert', 'update', 'replace'] } } }],
      {},
    );
    this.#stream = stream;
    this.#streamsOpened++;
    const first = await stream.tryNext();
    if (first) this.dispatch(first);
    void this.drain(stream);
  }

  private async drain(stream: ChangeStream<Doc>): Promise<void> {
    try {
      for await (const change of stream) this.dispatch(change);
    } catch (error) {
      if (stream.closed) return;
      // A non-resumable error ends the stream (the driver resumes the others itself); the
      // next subscriber opens a new one.
      this.logger.error(
        { err: error, collection: this.collection.collectionName },
        'change stream failed',
      );
    } finally {
      if (this.#stream === stream) {
        this.#stream = undefined;
        this.#ready = undefined;
      }
    }
  }

  private dispatch(change: Change<Doc>): void {
    const key = this.keyOf(change);
    if (key === undefined) return;
    for (const listener of this.#listeners.get(key) ?? []) listener(change);
  }
}
