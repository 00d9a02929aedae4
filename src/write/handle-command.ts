import {
  type EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  type Position,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { Decider } from '../domain/decider.js';
import { ConcurrencyConflictError, DomainError, ValidationError } from '../domain/errors.js';
import {
  type CommandContext,
  type EventMetadata,
  eventIdFor,
  hashInput,
  SCHEMA_VERSION,
} from './envelope.js';
import { loadStream } from './load-stream.js';
import type { StreamCache } from './stream-cache.js';

export interface CommandOutcome<State> {
  state: State;
  /** Stream revision after the command (the revision of its last event). */
  revision: number;
  /** $all position of the command's last event, for read-your-writes. */
  position: Position;
  /** True when the command had been applied before and nothing new was appended. */
  replayed: boolean;
  /** Number of events this call appended (0 when replayed or when decide() produced none). */
  appended: number;
}

/** Without a client-given expected revision, a conflicting append is decided again this many times. */
const MAX_ATTEMPTS = 20;

/**
 * Loads the stream, decides, and appends with the folded revision as the expected revision.
 * A command seen before (same command id) returns its first outcome and appends nothing.
 */
export async function handleCommand<State, Command, Event extends { type: string; data: unknown }>(
  client: EventStoreDBClient,
  streamName: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  context: CommandContext,
  cache?: StreamCache<State>,
): Promise<CommandOutcome<State>> {
  const inputHash = hashInput(command);
  for (let attempt = 1; ; attempt++) {
    // The first attempt may decide on the cached fold without reading the stream: if another
    // process appended since, the append conflicts. Any refusal found on that unverified state
    // is checked again against the stream before the client hears of it.
    const trustCache = attempt === 1;
    const loaded = await loadStream(
      client,
      streamName,
      decider,
      context.commandId,
      cache,
      trustCache,
    );
    const verified = !(trustCache && loaded.fromCache);
    if (loaded.prior) {
      if (loaded.prior.inputHash !== inputHash) {
        throw new ValidationError(
          'idempotencyKey',
          'was already used for a different request; use a new key for a new request',
        );
      }
      return { ...loaded.prior, replayed: true, appended: 0 };
    }
    const { expectedRevision } = context;
    let events: Event[];
    try {
      if (expectedRevision !== undefined && expectedRevision !== loaded.revision) {
        throw new ConcurrencyConflictError(
          expectedRevision,
          loaded.revision < 0 ? null : loaded.revision,
        );
      }
      events = decider.decide(command, loaded.state);
    } catch (error) {
      if (verified || !(error instanceof DomainError)) throw error;
      continue;
    }
    if (events.length === 0) {
      return {
        state: loaded.state,
        revision: loaded.revision,
        position: await lastPosition(client, streamName),
        replayed: false,
        appended: 0,
      };
    }
    const metadata: EventMetadata = {
      actor: context.actor,
      correlationId: context.correlationId,
      causationId: context.causationId,
      commandId: context.commandId,
      occurredAt: context.occurredAt,
      schemaVersion: SCHEMA_VERSION,
      inputHash,
      ...(context.reason === undefined ? {} : { reason: context.reason }),
    };
    try {
      const result = await client.appendToStream(
        streamName,
        events.map((event, index) =>
          jsonEvent({
            id: eventIdFor(context.commandId, index),
            type: event.type,
            data: event.data as Record<string, unknown>,
            metadata: metadata as unknown as Record<string, unknown>,
          }),
        ),
        { expectedRevision: loaded.revision < 0 ? NO_STREAM : BigInt(loaded.revision) },
      );
      if (!result.position) throw new Error(`append to ${streamName} returned no position`);
      const state = events.reduce(decider.evolve, loaded.state);
      const revision = Number(result.nextExpectedRevision);
      const outcome = { state, revision, position: result.position, inputHash };
      cache?.remember(streamName, loaded.revision, outcome, context.commandId);
      return {
        state,
        revision,
        position: result.position,
        replayed: false,
        appended: events.length,
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      if (expectedRevision !== undefined && verified) {
        const actual = typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) : null;
        throw new ConcurrencyConflictError(expectedRevision, actual);
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`${streamName}: still conflicting after ${MAX_ATTEMPTS} attempts`);
      }
    }
  }
}

/**
 * Position of a stream's last event, for a command that changed nothing. Read to the end:
 * a read left early keeps its gRPC call open.
 */
async function lastPosition(client: EventStoreDBClient, streamName: string): Promise<Position> {
  let last: Position = { commit: 0n, prepare: 0n };
  for await (const resolved of client.readStream(streamName, {
    direction: 'backwards',
    fromRevision: 'end',
    maxCount: 1,
  })) {
    if (resolved.event?.position) last = resolved.event.position;
  }
  return last;
}
