import {
  type EventStoreDBClient,
  type JSONRecordedEvent,
  type Position,
  StreamNotFoundError,
} from '@eventstore/db-client';
import type { Decider } from '../domain/decider.js';
import type { EventMetadata } from './envelope.js';

/** What a command already produced, found in the stream when the same command comes again. */
export interface PriorOutcome<State> {
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
}

/** Reads a stream from the start and folds it, noting where a given command was already applied. */
export async function loadStream<State, Event extends { type: string; data: unknown }>(
  client: EventStoreDBClient,
  streamName: string,
  decider: Decider<State, unknown, Event>,
  commandId: string,
): Promise<LoadedStream<State>> {
  let state = decider.initialState;
  let revision = -1;
  let prior: PriorOutcome<State> | undefined;
  try {
    for await (const resolved of client.readStream(streamName)) {
      const event = resolved.event as JSONRecordedEvent | undefined;
      if (!event) continue;
      state = decider.evolve(state, { type: event.type, data: event.data } as Event);
      revision = Number(event.revision);
      const metadata = event.metadata as Partial<EventMetadata> | undefined;
      if (metadata?.commandId === commandId && event.position) {
        prior = { state, revision, position: event.position, inputHash: metadata.inputHash ?? '' };
      }
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return prior ? { state, revision, prior } : { state, revision };
}
