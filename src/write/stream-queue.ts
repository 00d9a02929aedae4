/**
 * Runs tasks one after another per key (a stream name), and tasks for different keys at once.
 * Commands on one stream from this process would otherwise race each other to the same
 * expected revision and mostly lose; queued, each decides on the state the previous one left.
 * Other processes are still guarded by the expected revision and the handler's retry.
 */
export class StreamQueue {
  #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
