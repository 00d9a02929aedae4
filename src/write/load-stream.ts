import {
  type EventStoreDBClient,
  type JSONRecordedEvent,
  type Position,
  START,
  StreamNotFoundError,
} from '@eventstore/db-client';
import type { Decider } from '../domain/decider.js';
import type { EventMetadata } from './envelope.js';
import type { StreamCache } from './stream-cache.js';

/** What a command already produced, found in the stream when the same command comes again. */
export interface PriorOutcome<State> {
  /** The events the command appended. */
  events: readonly { type: string; data: unknown }[];
  state: State;
  revision: number;
  position: Position;
  inputHash: string;
}

export interface LoadedStream<State> {
  state: State;
  /** Revision of the last event, or -1 when the stream does not exist. */
  revision: number;
  /** Set when the stream already holds events of `commandId`. */
  prior?: PriorOutcome<State>;
  /** True when nothing was read: the state is the cached one, unverified. */
  fromCache: boolean;
}

/**
 * Folds a stream, from the cached revision when there is one, noting for every command id
 * where it was applied, so a repeated command is recognised.
 */
export async function loadStream<State, Event extends { type: string; data: unknown }>(
  client: EventStoreDBClient,
  streamName: string,
  decider: Decider<State, unknown, Event>,
  commandId: string,
  cache?: StreamCache<State>,
  { trustCache = false }: { trustCache?: boolean } = {},
): Promise<LoadedStream<State>> {
  const cached = cache?.get(streamName);
  if (cached && trustCache) {
    const prior = cached.priors.get(commandId);
    const { state, revision } = cached;
    return prior
      ? { state, revision, prior, fromCache: true }
      : { state, revision, fromCache: true };
  }
  let state = cached?.state ?? decider.initialState;
  let revision = cached?.revision ?? -1;
  const priors = cached?.priors ?? new Map<string, PriorOutcome<State>>();
  try {
    const events = client.readStream(streamName, {
      fromRevision: revision < 0 ? START : BigInt(revision + 1),
    });
    for await (const resolved of events) {
      const event = resolved.event as JSONRecordedEvent | undefined;
      if (!event) continue;
      const folded = { type: event.type, data: event.data } as Event;
      state = decider.evolve(state, folded);
      revision = Number(event.revision);
      const metadata = event.metadata as Partial<EventMetadata> | undefined;
      if (metadata?.commandId && event.position) {
        // A command's events are contiguous; the prior outcome is the state after its last one.
        const earlier = priors.get(metadata.commandId);
        const sameCommand = earlier && earlier.revision === revision - 1;
        priors.set(metadata.commandId, {
          events: sameCommand ? [...earlier.events, folded] : [folded],
          state,
          revision,
          position: event.position,
          inputHash: metadata.inputHash ?? '',
        });
      }
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  if (revision >= 0) cache?.set(streamName, { state, revision, priors });
  const prior = priors.get(commandId);
  return prior
    ? { state, revision, prior, fromCache: false }
    : { state, revision, fromCache: false };
}
