import { mayRepeat, type PriorOutcome } from './load-stream.js';
import type { SnapshotStore } from './snapshots.js';

/** What is known of one stream up to `revision`: its folded state and the commands in it. */
export interface CachedStream<State> {
  state: State;
  revision: number;
  priors: Map<string, PriorOutcome<State>>;
  /**
   * The commands in `priors` are those after this revision: -1 when the whole stream was
   * folded, a snapshot's revision when the fold started from one.
   */
  since: number;
  /**
   * The $all commit position of the event at `since` (-1n with `since` -1): a command caused
   * by an event after it appended, if anything, after it too, so `priors` would hold it.
   */
  sincePosition: bigint;
  /** Revision of the newest snapshot stored or read (-1: none). */
  snapshotAt: number;
}

/** Fold-cache bounds (FOLD_CACHE_STREAMS, FOLD_CACHE_COMMANDS_PER_STREAM). */
export interface StreamCacheBounds {
  /** Streams kept; the least recently used goes first. */
  maxStreams: number;
  /**
   * Repeatable commands remembered per stream, newest kept. An older one that comes again is
   * recognised by folding the stream whole, once (load-stream.ts).
   */
  maxCommandsPerStream: number;
}

export const DEFAULT_STREAM_CACHE_BOUNDS: StreamCacheBounds = {
  maxStreams: 1000,
  maxCommandsPerStream: 256,
};

/**
 * Folded streams kept between commands, so a command reads only the events appended since
 * the last one instead of the whole stream. Streams are append-only, so reading forward from
 * the cached revision always catches up, whoever appended. Least recently used streams go first.
 *
 * With a snapshot store, every fold that reaches `every` events past the stream's last snapshot
 * (by a command's append or by a load) is stored as a snapshot, in the background.
 */
export class StreamCache<State> {
  readonly #streams = new Map<string, CachedStream<State>>();

  constructor(
    private readonly bounds: StreamCacheBounds = DEFAULT_STREAM_CACHE_BOUNDS,
    readonly snapshots?: SnapshotStore<State>,
  ) {}

  get(stream: string): CachedStream<State> | undefined {
    const cached = this.#streams.get(stream);
    if (cached) {
      this.#streams.delete(stream);
      this.#streams.set(stream, cached);
    }
    return cached;
  }

  /**
   * Records our own successful append, so the next command need not read it back. Only a
   * cache that held the stream exactly as it was before the append (or a stream that did not
   * exist) can take it: otherwise commands in between would be missing from its priors.
   */
  remember(
    stream: string,
    revisionBefore: number,
    outcome: PriorOutcome<State>,
    commandId: string,
  ): void {
    const cached = this.#streams.get(stream);
    if (cached ? cached.revision !== revisionBefore : revisionBefore !== -1) {
      this.#streams.delete(stream);
      return;
    }
    const priors = cached?.priors ?? new Map<string, PriorOutcome<State>>();
    // A random command id never comes again: remembering its outcome would only use memory.
    if (mayRepeat(commandId)) priors.set(commandId, outcome);
    this.set(stream, {
      state: outcome.state,
      revision: outcome.revision,
      priors,
      since: cached?.since ?? -1,
      sincePosition: cached?.sincePosition ?? -1n,
      snapshotAt: cached?.snapshotAt ?? -1,
    });
  }

  set(stream: string, cached: CachedStream<State>): void {
    if (this.snapshots?.isDue(cached.revision, cached.snapshotAt)) {
      this.snapshots.take(stream, cached.state, cached.revision);
      cached = { ...cached, snapshotAt: cached.revision };
    }
    forgetOldestCommands(cached, this.bounds.maxCommandsPerStream);
    this.#streams.delete(stream);
    this.#streams.set(stream, cached);
    if (this.#streams.size > this.bounds.maxStreams) {
      const oldest = this.#streams.keys().next().value;
      if (oldest !== undefined) this.#streams.delete(oldest);
    }
  }
}

/**
 * Keeps the newest `max` repeatable commands of a stream (a Map keeps them in the order they
 * were folded or appended). What is forgotten moves `since` forward: a hot account took part in
 * a transfer step every few milliseconds, and remembering every one of them grew without bound.
 */
function forgetOldestCommands<State>(cached: CachedStream<State>, max: number): void {
  for (const [commandId, prior] of cached.priors) {
    if (cached.priors.size <= max) return;
    cached.priors.delete(commandId);
    if (prior.revision > cached.since) {
      cached.since = prior.revision;
      cached.sincePosition = prior.position.commit;
    }
  }
}
