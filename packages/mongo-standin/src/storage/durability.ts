/**
 * What a write command waits on before it answers: the journal's group commit. Positions are
 * byte offsets in the stream of journal records; `position` is just past the newest record.
 */
export interface Durability {
  readonly position: number;
  /** Resolves once every record before `position` is on disk; rejects if the journal failed. */
  whenDurable(position: number): Promise<void>;
  /** Set once a journal write failed: from then on writes are refused before they apply. */
  readonly failure: Error | undefined;
}
