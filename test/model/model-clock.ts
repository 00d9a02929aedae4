/**
 * The model's time: Tally (its API and its processes) reads it, and only AdvanceTime moves it,
 * always forward. It starts in 2036, later than any real clock that runs the timed processes
 * of other tests on the shared event store, so theirs never touch the model's holds or interest.
 */
export class ModelClock {
  #now = new Date('2036-01-01T00:00:00.000Z');

  readonly clock = () => this.#now;

  /**
   * What every Tally of the model test is started with. Its fold caches remember only two
   * commands per stream, so every run takes the paths a long-lived hot account takes: commands
   * older than the cache's window, found again by a whole-stream fold, and the proofs of absence
   * that skip it (src/write/load-stream.ts). The projector runs on its own thread, as in
   * `npm start`, so the invariants (read models equal to their folds, across restarts) hold for
   * the mode that runs in production; the other tests cover it on the main thread.
   */
  readonly tallyOptions = {
    clock: this.clock,
    runTimedProcesses: false,
    projectorThread: true,
    foldCache: { maxStreams: 1000, maxCommandsPerStream: 2 },
  } as const;

  get now(): Date {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now = new Date(this.#now.getTime() + ms);
  }
}
