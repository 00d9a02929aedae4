import {
  type EventStoreDBClient,
  type JSONRecordedEvent,
  type Position,
  START,
  StreamNotFoundError,
} from '@eventstore/db-client';
import type { Decider } from '../domain/decider.js';
import { storedEventOf } from '../events/recorded-event.js';
import { upcastingReaderFor } from '../events/upcasting-reader.js';
import type { CachedStream, StreamCache } from './stream-cache.js';

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
 * Whether a command id may come again: ids derived from an idempotency key or a process
 * manager's step are UUIDv5 (envelope.ts, deterministicId), so their command may already be in
 * the stream. Any other id (a random UUIDv4, or none) is new by construction.
 */
export function mayRepeat(commandId: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(commandId);
}

/**
 * What the caller knows about where a command's events cannot be, so a cache that no longer
 * remembers old commands need not fold the stream whole to look for it.
 */
export interface KnownAbsence {
  /** No event of this command is anywhere in the stream (its idempotency key was unclaimed). */
  nowhere?: boolean;
  /**
   * The $all commit position of the event that caused the command (a process step): its events,
   * if any, were appended after it, so none is at or before it.
   */
  noneUpTo?: bigint;
}

/** Beyond every $all position: nothing is known to be absent before it. */
const UNKNOWN_POSITION = 2n ** 64n;

function absentBefore(absence: KnownAbsence, position: bigint): boolean {
  return (
    absence.nowhere === true || (absence.noneUpTo !== undefined && absence.noneUpTo >= position)
  );
}

/** Where a fold starts: nothing, a cached fold, or a snapshot. */
interface FoldStart<State> {
  state: State;
  revision: number;
  priors: Map<string, PriorOutcome<State>>;
  /** Priors are known only for commands after this revision (-1: the whole stream). */
  since: number;
  /** The $all commit position of the event at `since` (-1n: the whole stream). */
  sincePosition: bigint;
  /** Revision of the newest snapshot known (-1: none). */
  snapshotAt: number;
  /** For a snapshot: the id the event at `revision` must have, checked as the fold reads it. */
  expectEventId?: string;
}

/**
 * Folds a stream, upcasting every event (src/events), from the cached fold when there is one,
 * else from the newest snapshot, noting for every command id where it was applied, so a
 * repeated command is recognised.
 *
 * A fold that started from a snapshot knows the commands after it only. A command whose id may
 * come again (mayRepeat) and is not among them could be in the part the snapshot summarises, so
 * for it the stream is folded whole, once; the cache then knows every command of the stream.
 */
export async function loadStream<State, Event extends { type: string; data: unknown }>(
  client: EventStoreDBClient,
  streamName: string,
  decider: Decider<State, unknown, Event>,
  commandId: string,
  cache?: StreamCache<State>,
  {
    trustCache = false,
    absence = {},
    presumeNew = false,
  }: { trustCache?: boolean; absence?: KnownAbsence; presumeNew?: boolean } = {},
): Promise<LoadedStream<State>> {
  const cached = cache?.get(streamName);
  if (!cached && presumeNew && trustCache) {
    // Unverified, like a cached fold: the append expects no stream, so if the stream exists
    // after all (this very command ran before) the append conflicts and the next attempt reads.
    return { state: decider.initialState, revision: -1, fromCache: true };
  }
  const searchWhole = (known: CachedStream<State>) =>
    known.since >= 0 &&
    mayRepeat(commandId) &&
    !known.priors.has(commandId) &&
    !absentBefore(absence, known.sincePosition);
  const complete = cached && !searchWhole(cached);
  if (cached && complete && trustCache) {
    const prior = cached.priors.get(commandId);
    const { state, revision } = cached;
    return prior
      ? { state, revision, prior, fromCache: true }
      : { state, revision, fromCache: true };
  }
  const whole = (snapshotAt: number): FoldStart<State> => ({
    state: decider.initialState,
    revision: -1,
    priors: new Map(),
    since: -1,
    sincePosition: -1n,
    snapshotAt,
  });
  let start: FoldStart<State>;
  if (cached) {
    start = complete ? { ...cached } : whole(cached.snapshotAt);
  } else {
    const snapshot = mayRepeat(commandId) ? undefined : await cache?.snapshots?.newest(streamName);
    start = snapshot
      ? {
          state: snapshot.state,
          revision: snapshot.revision,
          priors: new Map(),
          since: snapshot.revision,
          sincePosition: UNKNOWN_POSITION, // read with the snapshot's event, below
          snapshotAt: snapshot.revision,
          expectEventId: snapshot.eventId,
        }
      : whole(-1);
  }
  let folded = await foldFrom(client, streamName, decider, start);
  // The stream no longer has the snapshot's event where it says: fold it whole instead.
  if (!folded) folded = (await foldFrom(client, streamName, decider, whole(-1)))!;
  // Looked up before caching: the cache may forget the oldest commands (it keeps a bounded few).
  const prior = folded.priors.get(commandId);
  if (folded.revision >= 0) cache?.set(streamName, folded);
  const { state, revision } = folded;
  return prior
    ? { state, revision, prior, fromCache: false }
    : { state, revision, fromCache: false };
}

/**
 * Reads and folds the stream after `start`. Returns undefined when `start` is a snapshot whose
 * event is not (or no longer) in the stream at its revision.
 */
async function foldFrom<State, Event extends { type: string; data: unknown }>(
  client: EventStoreDBClient,
  streamName: string,
  decider: Decider<State, unknown, Event>,
  start: FoldStart<State>,
): Promise<FoldStart<State> | undefined> {
  let { state, revision, sincePosition } = start;
  const priors = start.priors;
  const checking = start.expectEventId;
  let verified = checking === undefined;
  const upcast = upcastingReaderFor(client).inOrder(streamName, revision + 1);
  // From a snapshot, read its own event too, to check the stream still has it there.
  let from = checking === undefined ? revision + 1 : revision;
  for (let more = true; more; ) {
    const page = await readPage(client, streamName, from);
    more = page.length === PAGE;
    from += page.length;
    for (const raw of page) {
      if (!verified) {
        verified = Number(raw.revision) === start.revision && raw.id === checking;
        if (!verified) return undefined;
        sincePosition = raw.position?.commit ?? UNKNOWN_POSITION;
        continue;
      }
      const recorded = await upcast(storedEventOf(raw));
      const folded = { type: recorded.type, data: recorded.data } as Event;
      state = decider.evolve(state, folded);
      revision = recorded.revision;
      const { commandId, inputHash } = recorded.metadata;
      // Only a command whose id can come again (a client's key, a process step) needs its
      // outcome kept: a random id never repeats, and keeping one per command grew without bound.
      if (commandId && raw.position && mayRepeat(commandId)) {
        // A command's events are contiguous; the prior outcome is the state after its last one.
        const earlier = priors.get(commandId);
        const sameCommand = earlier && earlier.revision === revision - 1;
        priors.set(commandId, {
          events: sameCommand ? [...earlier.events, folded] : [folded],
          state,
          revision,
          position: raw.position,
          inputHash: inputHash ?? '',
        });
      }
    }
  }
  if (!verified) return undefined;
  return {
    state,
    revision,
    priors,
    since: start.since,
    sincePosition: sincePosition,
    snapshotAt: start.snapshotAt,
  };
}

/** Events read per call: each page is read to its end, so no gRPC call is ever left open. */
const PAGE = 1000;

async function readPage(
  client: EventStoreDBClient,
  streamName: string,
  from: number,
): Promise<JSONRecordedEvent[]> {
  const page: JSONRecordedEvent[] = [];
  try {
    for await (const resolved of client.readStream(streamName, {
      fromRevision: from <= 0 ? START : BigInt(from),
      maxCount: PAGE,
    })) {
      if (resolved.event) page.push(resolved.event as JSONRecordedEvent);
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return page;
}
