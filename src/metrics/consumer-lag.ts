import { type EventStoreDBClient, FORWARDS, START } from '@eventstore/db-client';
import type { Collection } from 'mongodb';
import type { CheckpointDocument } from '../read/documents.js';
import { fromLong } from '../read/position.js';
import { TALLY_STREAM_PREFIXES } from '../read/projector.js';
import type { HeadEvent, HeadWatcher } from './head-watcher.js';

/** A consumer of $all whose lag is reported: a read-model projection or a process. */
export interface LaggingConsumer {
  /** The `projection` label of the metrics, and the name /ready reports. */
  name: string;
  /** The checkpoint document(s) it keeps; it is as far as the lowest. */
  checkpointNames: readonly string[];
  /** Which events it has to apply (its subscription's filter). */
  handles(event: HeadEvent): boolean;
  /** Where it is in this process, when it runs here (fresher than its stored checkpoint). */
  reached?(): bigint | undefined;
}

export interface ConsumerLag {
  name: string;
  /** Commit position applied; -1 before the first event. */
  position: bigint;
  /** Events it has still to apply (at most MAX_COUNTED when far behind). */
  events: number;
  /** Age of the oldest event it has not applied; 0 when caught up. */
  ms: number;
}

/** A consumer further behind than this is reported as this many events behind. */
const MAX_COUNTED = 10_000;

export const isTallyEvent = (event: HeadEvent) =>
  TALLY_STREAM_PREFIXES.some((prefix) => event.streamId.startsWith(prefix));

/**
 * How far each consumer is behind the head: in events, and in time since the oldest event it
 * has not applied. Positions come from the stored checkpoints, so every instance reports the
 * same, leader or not; the leader's in-memory progress is used when fresher.
 */
export class LagMonitor {
  constructor(
    private readonly head: HeadWatcher,
    private readonly checkpoints: Collection<CheckpointDocument>,
    private readonly eventStore: EventStoreDBClient,
    readonly consumers: readonly LaggingConsumer[],
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async measure(): Promise<ConsumerLag[]> {
    const names = [...new Set(this.consumers.flatMap((c) => c.checkpointNames))];
    const stored = new Map<string, CheckpointDocument>();
    for (const doc of await this.checkpoints.find({ _id: { $in: names } }).toArray()) {
      stored.set(doc._id, doc);
    }
    return Promise.all(
      this.consumers.map(async (consumer) => {
        const saved = consumer.checkpointNames.map((n) => stored.get(n));
        const lowest = saved.some((d) => d === undefined)
          ? undefined
          : saved.reduce((a, b) => (fromLong(b!.commit) < fromLong(a!.commit) ? b : a));
        let position = lowest ? fromLong(lowest.commit) : -1n;
        let prepare = lowest ? fromLong(lowest.prepare) : -1n;
        const live = consumer.reached?.();
        if (live !== undefined && live > position) {
          position = live;
          prepare = live;
        }
        return {
          name: consumer.name,
          position,
          ...(await this.lagAt(position, prepare, consumer)),
        };
      }),
    );
  }

  /** From the kept head events when they reach back far enough, else by reading $all. */
  private async lagAt(
    position: bigint,
    prepare: bigint,
    consumer: LaggingConsumer,
  ): Promise<{ events: number; ms: number }> {
    const now = this.clock().getTime();
    const pending = this.head.after(position, consumer.handles);
    if (pending) {
      return { events: pending.length, ms: pending[0] ? now - pending[0].created.getTime() : 0 };
    }
    let events = 0;
    let oldest: Date | undefined;
    for await (const resolved of this.eventStore.readAll({
      direction: FORWARDS,
      fromPosition: position < 0n ? START : { commit: position, prepare },
      maxCount: MAX_COUNTED,
    })) {
      const event = resolved.event;
      if (!event || event.position.commit <= position) continue;
      const seen = {
        commit: event.position.commit,
        prepare: event.position.prepare,
        created: event.created,
        type: event.type,
        streamId: event.streamId,
      };
      if (!consumer.handles(seen)) continue;
      events++;
      oldest ??= event.created;
    }
    return { events, ms: oldest ? Math.max(0, now - oldest.getTime()) : 0 };
  }

  /** Age of the oldest event the read models have not applied, from the kept events only. */
  readModelLagMs(position: bigint): number {
    const pending = this.head.after(position, isTallyEvent);
    const now = this.clock().getTime();
    if (pending) return pending[0] ? Math.max(0, now - pending[0].created.getTime()) : 0;
    // Further behind than what is kept: at least as old as the oldest kept event.
    const oldest = this.head.oldest;
    return oldest ? Math.max(0, now - oldest.created.getTime()) : 0;
  }
}
