/** What the main thread gives the projector's thread at start. */
export interface ProjectorWorkerData {
  eventStoreUrl: string;
  mongoUrl: string;
  mongoDb: string;
  /** The leader's fencing token: every read-model write and checkpoint is fenced by it. */
  token?: number;
}

/** Main thread → projector thread. */
export type ToProjector = { type: 'stop' };

/** Projector thread → main thread, in the order things happened there. */
export type FromProjector =
  | { type: 'started' }
  | { type: 'failed'; name: string; message: string; stack?: string }
  // The projector's Progress, step by step (src/read/progress.ts, ProgressRelay).
  | { type: 'advance'; position: bigint }
  | { type: 'doubt' }
  | { type: 'rewind'; position: bigint }
  | { type: 'stopped' };
