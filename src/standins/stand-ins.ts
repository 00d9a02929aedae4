/**
 * The one place that knows where the embedded stand-ins live: the workspace packages
 * @tally/eventstore-standin and @tally/mongo-standin. The worker imports them through here and
 * nothing else in src/standins does (src/threads/worker-bundle.ts bundles their TypeScript sources).
 */
export type StandInKind = 'eventstore' | 'mongo';

export interface StandInOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Durable data lives here; undefined keeps everything in memory. */
  dataDir?: string | undefined;
  /** MongoDB stand-in only: change events kept for resuming change streams. */
  changeHistory?: number | undefined;
}

export interface StartedStandIn {
  readonly url: string;
  close(): Promise<void>;
}

/** What logs and errors call each stand-in. */
export const STAND_IN_NAMES: Record<StandInKind, string> = {
  eventstore: 'EventStoreDB stand-in',
  mongo: 'MongoDB stand-in',
};

/** Starts one stand-in in the calling thread: the worker does, or Tally itself with STANDINS_THREADS=false. */
export async function startStandInHere(
  kind: StandInKind,
  options: StandInOptions,
): Promise<StartedStandIn> {
  if (kind === 'eventstore') {
    const { startEmbeddedEventStore } = await import('@tally/eventstore-standin');
    return startEmbeddedEventStore(options);
  }
  const { startEmbeddedMongo } = await import('@tally/mongo-standin');
  return startEmbeddedMongo(options);
}
