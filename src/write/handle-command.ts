import {
  type EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  type Position,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { Decider } from '../domain/decider.js';
import { ConcurrencyConflictError, DomainError, ValidationError } from '../domain/errors.js';
import { currentSchemaVersion } from '../events/registry.js';
import {
  type CommandContext,
  type EventMetadata,
  eventIdFor,
  hashInput,
  SCHEMA_VERSION,
} from './envelope.js';
import { type KnownAbsence, type LoadedStream, loadStream } from './load-stream.js';
import { DecideAgain, retryOnConflict } from './retry-policy.js';
import type { StreamCache } from './stream-cache.js';

type AnyEvent = { type: string; data: unknown };

export interface CommandOutcome<State, Event extends AnyEvent = AnyEvent> {
  /** The command's events: appended by this call, or, on a replay, those it appended first. */
  events: readonly Event[];
  /** The state right after the command's events. */
  state: State;
  /** The stream's state now: differs from `state` only on a replay, when others came after. */
  current: State;
  /** Stream revision right after the command's events. */
  revision: number;
  /** $all position of the command's last event, for read-your-writes. */
  position: Position;
  /** True when the command had been applied before and nothing new was appended. */
  replayed: boolean;
}

export interface HandleOptions {
  /**
   * Runs once the decision has events to append, just before the append: the ledger claims
   * the client's idempotency key here, so a refused or empty command claims nothing.
   */
  beforeAppend?: () => Promise<void>;
  /**
   * Where the command's events cannot be, asked at each attempt (load-stream.ts, KnownAbsence):
   * lets a fold cache that forgot old commands skip folding the stream whole.
   */
  absence?: () => KnownAbsence;
  /**
   * The stream is new unless this very command ran before (a transfer's stream, opened by the
   * mutation that debited its source): the first attempt decides on the empty stream without
   * reading it, and the append's "no stream" expectation checks that.
   */
  presumeNew?: boolean;
}

/**
 * Handles one command on one stream: load → recognise a replay → decide → append → remember.
 * A lost race for the expected revision is decided again (retry-policy.ts) unless the client
 * named the revision it expects.
 */
export function handleCommand<State, Command, Event extends AnyEvent>(
  client: EventStoreDBClient,
  streamName: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  context: CommandContext,
  cache?: StreamCache<State>,
  options: HandleOptions = {},
): Promise<CommandOutcome<State, Event>> {
  const inputHash = context.inputHash ?? hashInput(command);
  return retryOnConflict(async (attempt) => {
    // The first attempt decides on the cached fold without reading the stream: if another
    // process appended since, the append conflicts and the next attempt reads forward.
    const loaded = await loadStream(client, streamName, decider, context.commandId, cache, {
      trustCache: attempt === 1,
      absence: { ...options.absence?.(), noneUpTo: context.causedAt },
      presumeNew: options.presumeNew,
    });
    const replay = replayOf(loaded, inputHash);
    if (replay) return replay as CommandOutcome<State, Event>;
    const events = decideOn(decider, command, loaded, context, streamName);
    if (events.length === 0) return unchanged(client, streamName, loaded);
    await options.beforeAppend?.();
    const position = await append(client, streamName, events, loaded, context, inputHash);
    const state = events.reduce(decider.evolve, loaded.state);
    const revision = loaded.revision + events.length;
    const outcome = { events, state, revision, position, inputHash };
    cache?.remember(streamName, loaded.revision, outcome, context.commandId);
    return { events, state, current: state, revision, position, replayed: false };
  });
}

/** The first outcome of a command already in the stream; the same id with other input is a bug. */
function replayOf<State>(
  loaded: LoadedStream<State>,
  inputHash: string,
): CommandOutcome<State> | undefined {
  const { prior } = loaded;
  if (!prior) return undefined;
  if (prior.inputHash !== inputHash) {
    // Client keys are checked ledger-wide before this (idempotency-keys.ts), so this is a last
    // line of defence: refuse, and write nothing.
    throw new ValidationError('idempotencyKey', 'was already used for a different request');
  }
  return {
    events: prior.events,
    state: prior.state,
    current: loaded.state,
    revision: prior.revision,
    position: prior.position,
    replayed: true,
  };
}

/**
 * decide() on the loaded fold. A client's expected revision is checked first. A refusal found
 * on an unverified cached fold is not trusted: the fold is read again and the decision retaken.
 */
function decideOn<State, Command, Event extends AnyEvent>(
  decider: Decider<State, Command, Event>,
  command: Command,
  loaded: LoadedStream<State>,
  context: CommandContext,
  streamName: string,
): Event[] {
  try {
    const { expectedRevision } = context;
    if (expectedRevision !== undefined && expectedRevision !== loaded.revision) {
      throw new ConcurrencyConflictError(
        expectedRevision,
        loaded.revision < 0 ? null : loaded.revision,
      );
    }
    return decider.decide(command, loaded.state);
  } catch (error) {
    if (loaded.fromCache && error instanceof DomainError) throw new DecideAgain(streamName);
    throw error;
  }
}

/** Appends with the folded revision as the expected revision; returns the last event's position. */
async function append<State, Event extends AnyEvent>(
  client: EventStoreDBClient,
  streamName: string,
  events: readonly Event[],
  loaded: LoadedStream<State>,
  context: CommandContext,
  inputHash: string,
): Promise<Position> {
  const metadata: EventMetadata = {
    actor: context.actor,
    correlationId: context.correlationId,
    causationId: context.causationId,
    commandId: context.commandId,
    occurredAt: context.occurredAt,
    schemaVersion: SCHEMA_VERSION,
    inputHash,
  };
  const reason = context.reason ?? reasonOf(events);
  if (reason !== undefined) metadata.reason = reason;
  try {
    const result = await client.appendToStream(
      streamName,
      events.map((event, index) =>
        jsonEvent({
          id: eventIdFor(context.commandId, index),
          type: event.type,
          data: event.data as Record<string, unknown>,
          // Events of one append share a commit position; the index lets readers tell when
          // they have seen the whole append (read-your-writes waits for all of it).
          metadata: {
            ...metadata,
            // Each type's current shape (src/events/registry.ts), so readers know what to upcast.
            schemaVersion: currentSchemaVersion(event.type),
            eventIndex: index,
            eventCount: events.length,
          },
        }),
      ),
      { expectedRevision: loaded.revision < 0 ? NO_STREAM : BigInt(loaded.revision) },
    );
    if (!result.position) throw new Error(`append to ${streamName} returned no position`);
    return result.position;
  } catch (error) {
    if (!(error instanceof WrongExpectedVersionError)) throw error;
    const { expectedRevision } = context;
    if (expectedRevision !== undefined && !loaded.fromCache) {
      const actual = typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) : null;
      throw new ConcurrencyConflictError(expectedRevision, actual);
    }
    throw new DecideAgain(streamName);
  }
}

/** The reason a decided event carries (a freeze, a refund), recorded in the metadata too. */
function reasonOf(events: readonly AnyEvent[]): string | undefined {
  for (const event of events) {
    const reason = (event.data as { reason?: unknown } | undefined)?.reason;
    if (typeof reason === 'string') return reason;
  }
  return undefined;
}

/** A command that changed nothing answers with the stream as it is. */
async function unchanged<State>(
  client: EventStoreDBClient,
  streamName: string,
  loaded: LoadedStream<State>,
): Promise<CommandOutcome<State, never>> {
  return {
    events: [],
    state: loaded.state,
    current: loaded.state,
    revision: loaded.revision,
    position: await lastPosition(client, streamName),
    replayed: false,
  };
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
