/**
 * The Read calls (reads and subscriptions) the server holds: each from its handler's start until
 * its producer has stopped and the call has ended (finished, cancelled by the client, its
 * connection gone, or its deadline passed). A client that abandons a call without cancelling it
 * keeps it here, as it keeps it open on EventStoreDB; the count is how tests see that a call the
 * client did end was let go of at once.
 */
export class OpenCalls {
  #open = 0;
  #whenNone: Array<() => void> = [];

  get size(): number {
    return this.#open;
  }

  /** Counts a call as open; the function returned lets go of it (once). */
  open(): () => void {
    this.#open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#open--;
      if (this.#open === 0) for (const resolve of this.#whenNone.splice(0)) resolve();
    };
  }

  /** Resolves once no call is open (at once if none is). */
  none(): Promise<void> {
    if (this.#open === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenNone.push(resolve));
  }
}
