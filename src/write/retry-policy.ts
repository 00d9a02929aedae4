/**
 * Thrown by a step of command handling when the decision must be taken again on a fresher
 * fold: the append lost a race for the expected revision, or a refusal was found on a cached
 * fold that nobody has checked against the stream yet.
 */
export class DecideAgain extends Error {
  constructor(readonly streamName: string) {
    super(`${streamName}: decide again on a fresher state`);
  }
}

/** Without a client-given expected revision, a conflicting append is decided again this many times. */
export const MAX_ATTEMPTS = 20;

/**
 * Runs `attempt(n)` until it returns, retrying only when it throws DecideAgain, at most
 * MAX_ATTEMPTS times. Every other error (a business-rule refusal, a store failure) ends it.
 */
export async function retryOnConflict<T>(attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof DecideAgain)) throw error;
      if (n >= MAX_ATTEMPTS) {
        throw new Error(`${error.streamName}: still conflicting after ${MAX_ATTEMPTS} attempts`);
      }
    }
  }
}
