import { EventEmitter } from 'node:events';
import type {
  ChangeStream,
  ChangeStreamDocument,
  Collection,
  Document,
  ResumeToken,
} from 'mongodb';
import type { Logger } from '../logger.js';
import { liveCounters } from './live-counters.js';
import { MAX_PENDING_MESSAGES, type SubscriberLimits } from './ordered-push.js';

export type Change<Doc extends Document> = ChangeStreamDocument<Doc>;
type Listener<Doc extends Document> = (change: Change<Doc>) => void;

/**
 * One MongoDB change stream per collection per process, fanned out to subscribers by key
 * (an account id). A thousand idle subscribers cost one open cursor, not a thousand.
 *
 * One subscriber must only ever hurt itself: a listener never blocks the dispatch (each has its
 * own bounded queue, see subscriptionSource), and one that throws is removed and logged, never
 * allowed to end the shared stream. The driver resumes the stream after a transient failure;
 * if it ends anyway while subscribers listen, it is logged and reopened from the last change
 * dispatched, so nobody misses anything.
 */
export class ChangeFeed<Doc extends Document> extends EventEmitter<{ listeners: [count: number] }> {
  /** How many updates may wait for one subscriber before it is dropped as too slow. */
  maxPendingPerSubscriber = MAX_PENDING_MESSAGES;
  #stream: ChangeStream<Doc> | undefined;
  #ready: Promise<void> | undefined;
  #listeners = new Map<string, Set<Listener<Doc>>>();
  #streamsOpened = 0;
  /** The last change dispatched: a reopened stream starts right after it. */
  #resumeToken: ResumeToken | undefined;
  /**
   * The collection was dropped or renamed over (a rebuilt read model switched in, see
   * src/rebuild): the stream ended with this invalidate. `resumeAfter` cannot pass an
   * invalidate; `startAfter` it watches the new collection from that instant, so no write to it
   * is missed.
   */
  #invalidatedAt: ResumeToken | undefined;

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
    return () => this.unsubscribe(key, listener);
  }

  /** The queue bound of a subscriber to `key`, and what to do when it is dropped: log and count. */
  subscriberLimits(key: string): SubscriberLimits {
    return {
      maxPending: this.maxPendingPerSubscriber,
      onDropped: ({ maxPending, afterRevision }) => {
        liveCounters.slowSubscribersDropped++;
        this.logger.warn(
          { collection: this.collection.collectionName, key, maxPending, afterRevision },
          'subscriber too slow: dropped with an error telling it to resume after its last revision',
        );
      },
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

  private unsubscribe(key: string, listener: Listener<Doc>): void {
    const listeners = this.#listeners.get(key);
    if (!listeners?.delete(listener)) return;
    if (listeners.size === 0) this.#listeners.delete(key);
    this.emit('listeners', this.stats().listeners);
  }

  /**
   * Opens the change stream, after `resumeAfter` when reopening. tryNext() runs the aggregate
   * that opens it on the server, so once it returns, every later write is in the stream; then
   * a background loop drains it.
   */
  private async open(resumeAfter?: ResumeToken, startAfter?: ResumeToken): Promise<void> {
    const stream = this.collection.watch<Doc>(
      [{ $match: { operationType: { $in: ['insert', 'update', 'replace', 'invalidate'] } } }],
      startAfter ? { startAfter } : resumeAfter ? { resumeAfter } : {},
    );
    this.#stream = stream;
    this.#streamsOpened++;
    const first = await stream.tryNext();
    if (first) this.dispatch(first);
    void this.drain(stream);
  }

  private async drain(stream: ChangeStream<Doc>): Promise<void> {
    let failure: unknown;
    try {
      for await (const change of stream) this.dispatch(change);
    } catch (error) {
      failure = error;
    }
    // Closed by close(), or already replaced: nothing to do.
    if (this.#stream !== stream) return;
    this.#stream = undefined;
    this.#ready = undefined;
    const { listeners } = this.stats();
    if (listeners === 0) {
      if (failure) this.logger.warn({ err: failure, ...this.where() }, 'change stream failed');
      return;
    }
    // A non-resumable error, or an end the driver did not resume: every subscriber would wait
    // for nothing. Reopen after the last change dispatched.
    liveCounters.changeStreamsReopened++;
    // After an invalidate the driver's next read finds the cursor closed, and says so.
    if (this.#invalidatedAt) {
      this.logger.info(
        { listeners, ...this.where() },
        'collection replaced (a rebuilt read model switched in); watching the new one',
      );
    } else {
      this.logger.error(
        { err: failure, listeners, ...this.where() },
        'change stream ended while subscribers listen; reopening it after the last change',
      );
    }
    try {
      this.#ready = this.open(this.#resumeToken, this.#invalidatedAt);
      await this.#ready;
    } catch (error) {
      this.#ready = undefined;
      this.logger.error(
        { err: error, ...this.where() },
        'change stream could not be reopened; the next subscriber opens a new one',
      );
    }
  }

  /** Never throws: one listener's failure is its own, and the shared stream goes on. */
  private dispatch(change: Change<Doc>): void {
    if (change.operationType === 'invalidate') {
      this.#invalidatedAt = change._id;
      return;
    }
    this.#resumeToken = change._id;
    this.#invalidatedAt = undefined;
    const key = this.keyOf(change);
    if (key === undefined) return;
    for (const listener of [...(this.#listeners.get(key) ?? [])]) {
      try {
        listener(change);
      } catch (error) {
        liveCounters.listenersFailed++;
        this.unsubscribe(key, listener);
        this.logger.error({ err: error, key, ...this.where() }, 'subscriber failed; removed');
      }
    }
  }

  private where(): { collection: string } {
    return { collection: this.collection.collectionName };
  }
}
