import { randomUUID } from 'node:crypto';
import { LOG_HEADER_SIZE } from '../log/event-log.js';
import type { LogEvent } from '../log/record.js';
import { streamsPb } from '../protocol.js';
import type { EventStore } from '../store/event-store.js';
import type { SubscriptionProgress } from '../store/stream-state.js';
import { checkpointResponse, parseUint64, readEventResponse } from './convert.js';
import { invalidArgument, streamDeletedError } from './errors.js';
import { type EventFilter, parseFilter } from './filter.js';
import type { ReadOptions } from './read.js';
import { linkResolver, requestedStream } from './requested-stream.js';
import type { ResponseSink } from './response-sink.js';

// A catch-up subscription is a cursor into the log. It reads from the log up to the durable end,
// says `caught_up` once, then sleeps until the next group commit wakes it and reads on from the
// same cursor. Catch-up and live are one loop over one cursor, so the switch can neither skip nor
// repeat an event, and a slow client only makes the loop wait: nothing queues in memory.

/** Registers a subscription with the store and wakes its loop after every group commit. */
class Wakeup {
  #wake: (() => void) | undefined;
  readonly progress: SubscriptionProgress;

  constructor(store: EventStore, sink: ResponseSink, target: string) {
    this.progress = {
      target,
      delivered: 0,
      buffered: () => sink.call.writableLength,
      blocked: () => sink.blocked,
    };
    store.subscriptions.add(this.progress);
    const unsubscribe = store.onCommit(() => this.wake());
    const close = () => {
      unsubscribe();
      store.subscriptions.delete(this.progress);
      this.wake();
    };
    sink.call.on('cancelled', close);
    sink.call.on('close', close);
    sink.call.on('finish', close);
  }

  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }
}

function confirmation(): ReturnType<typeof checkpointResponse> {
  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
  confirmation.setSubscriptionId(randomUUID());
  const response = new streamsPb.ReadResp();
  response.setConfirmation(confirmation);
  return response;
}

function caughtUp(): ReturnType<typeof checkpointResponse> {
  const response = new streamsPb.ReadResp();
  response.setCaughtUp(new streamsPb.ReadResp.CaughtUp());
  return response;
}

export async function subscribeToStream(
  store: EventStore,
  sink: ResponseSink,
  options: ReadOptions,
  structured: boolean,
): Promise<void> {
  const streamOptions = options.getStream()!;
  const resolve = linkResolver(store, options);
  const name = requestedStream(store, options);
  if (typeof name !== 'string') return sink.fail(name);
  const wakeup = new Wakeup(store, sink, name);
  // The start point is exclusive: from revision r the first event delivered is r + 1.
  let next: number;
  if (streamOptions.hasStart()) next = 0;
  else if (streamOptions.hasEnd()) {
    const stream = store.stream(name);
    next = stream ? store.durableCount(stream) : 0;
  } else {
    const revision = parseUint64(streamOptions.getRevision());
    if (revision === undefined) return sink.fail(invalidArgument('Invalid stream revision.'));
    next = Number(revision) + 1;
  }
  await sink.send(confirmation());
  let isCaughtUp = false;
  while (!sink.closed) {
    const stream = store.stream(name);
    if (stream?.tombstone !== undefined && stream.tombstone < store.committedEnd) {
      return sink.fail(streamDeletedError(name));
    }
    const range = stream ? store.visibleRange(stream) : { first: 0, end: 0, minCreated: undefined };
    next = Math.max(next, range.first);
    if (stream && next < range.end) {
      const event = store.readAt(stream.positions.at(next++));
      if (range.minCreated === undefined || event.created >= range.minCreated) {
        await sink.send(readEventResponse(event, structured, resolve));
        wakeup.progress.delivered++;
      }
      continue;
    }
    if (!isCaughtUp) {
      isCaughtUp = true;
      await sink.send(caughtUp());
      continue;
    }
    await wakeup.next();
  }
}

export async function subscribeToAll(
  store: EventStore,
  sink: ResponseSink,
  options: ReadOptions,
  structured: boolean,
): Promise<void> {
  const allOptions = options.getAll()!;
  const resolve = linkResolver(store, options);
  const filter = parseFilter(options);
  if (filter instanceof Error) return sink.fail(filter);
  const wakeup = new Wakeup(store, sink, '$all');
  let cursor: number;
  if (allOptions.hasStart()) cursor = LOG_HEADER_SIZE;
  else if (allOptions.hasEnd()) cursor = store.committedEnd;
  else {
    const position = allOptions.getPosition();
    const prepare = position ? parseUint64(position.getPreparePosition()) : undefined;
    if (
      prepare === undefined ||
      !position ||
      parseUint64(position.getCommitPosition()) === undefined
    ) {
      return sink.fail(invalidArgument('Invalid $all position.'));
    }
    // Exclusive: start at the first record after the given one.
    cursor = Math.min(Number(prepare), Number.MAX_SAFE_INTEGER - 1) + 1;
  }
  // Land on a record boundary (a position may point at any byte of the log).
  const index = store.allIndexAtOrAfter(cursor);
  cursor = index < store.allCount() ? store.allPositionAt(index) : store.log.reservedEnd;

  await sink.send(confirmation());
  const checkpoints = new CheckpointCounter(filter);
  let isCaughtUp = false;
  let lastConsidered: LogEvent | undefined;
  while (!sink.closed) {
    if (cursor < store.committedEnd) {
      for (const event of store.readForward(cursor)) {
        if (sink.closed) return;
        cursor = event.position + event.size;
        lastConsidered = event;
        if (!filter || filter.matches(event)) {
          await sink.send(readEventResponse(event, structured, resolve));
          wakeup.progress.delivered++;
        }
        if (checkpoints.considered())
          await sink.send(checkpointResponse(event.commit, event.position));
      }
      continue;
    }
    if (!isCaughtUp) {
      isCaughtUp = true;
      // As EventStoreDB does when a filtered subscription goes live: a checkpoint at the point
      // it caught up, so a consumer waiting on a filtered-out position is not left hanging.
      const last = lastConsidered ?? lastDurableEvent(store);
      if (filter && last) await sink.send(checkpointResponse(last.commit, last.position));
      await sink.send(caughtUp());
      continue;
    }
    await wakeup.next();
  }
}

function lastDurableEvent(store: EventStore): LogEvent | undefined {
  const count = store.allDurableCount();
  return count > 0 ? store.readAt(store.allPositionAt(count - 1)) : undefined;
}

/** Counts considered events, matched or filtered out, as the real server does. */
class CheckpointCounter {
  #count = 0;

  constructor(readonly filter: EventFilter | undefined) {}

  /** True when a checkpoint is due after this event. */
  considered(): boolean {
    if (!this.filter) return false;
    this.#count++;
    if (this.#count < this.filter.checkpointInterval) return false;
    this.#count = 0;
    return true;
  }
}
