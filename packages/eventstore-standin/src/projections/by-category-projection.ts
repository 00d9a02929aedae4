import { AllCursor } from '../grpc/all-cursor.js';
import { LOG_HEADER_SIZE } from '../log/event-log.js';
import type { LogEvent } from '../log/record.js';
import { createLogger } from '../logger.js';
import type { EventStore } from '../store/event-store.js';
import type { ProposedEvent, WriteResult } from '../store/types.js';
import {
  CATEGORY_STREAM_PREFIX,
  type CategoryLink,
  linkFor,
  sourcePositionOf,
} from './by-category.js';
import { readDefinition, writeDefinition } from './projection-definition.js';
import { positionText, progressPercent } from './statistics-fields.js';

const log = createLogger('eventstore.projections');

export const BY_CATEGORY = '$by_category';
const HANDLER_TYPE = 'native:EventStore.Projections.Core.Standard.CategorizeEventsByStreamPath';
const QUERY = 'first\r\n-';
/** A fixed id for `$v`: EventStoreDB numbers projections in the order they were registered. */
const PROJECTION_ID = 3;
/** Source events looked at per batch: their links go to the log together (one group commit). */
const BATCH_EVENTS = 4096;

/** EventStoreDB's `ManagedProjectionState` names for the states the stand-in has. */
export type ProjectionStatus = 'Stopped' | 'Running' | 'Aborted' | 'Faulted';

/** What Statistics reports, in EventStoreDB's terms. */
export interface ProjectionStatistics {
  name: string;
  status: ProjectionStatus;
  stateReason: string;
  epoch: number;
  version: number;
  /** The checkpoint tag, `C:<commit>/P:<prepare>`, of the last event handled; '' before any. */
  position: string;
  /** The checkpoint tag of the last checkpoint written; `position` when not given. */
  lastCheckpoint?: string;
  /** Percent of `$all` handled. */
  progress: number;
  eventsProcessedAfterRestart: number;
  writesInProgress: number;
}

/**
 * The `$by_category` system projection: reads `$all` in order and appends, for each categorised
 * event, a `$>` link to `$ce-<category>` (rules in by-category.ts). Disabled on a new database,
 * as on EventStoreDB; enabling it catches up from the start of `$all`.
 *
 * Durable like every other thing the store keeps, without a checkpoint stream: the definition
 * (enabled or not) is the last `$ProjectionUpdated` in `$projections-$by_category`, and the
 * position reached is the `$p` of the last link written. Links are appended in `$all` order, one
 * append each, and recovery keeps a prefix of the log, so after any crash the links present are
 * exactly those of the source events up to that `$p`: the projection goes on from the next event,
 * with no link missing or written twice.
 */
export class ByCategoryProjection {
  readonly #store: EventStore;
  #status: ProjectionStatus = 'Stopped';
  #enabled = false;
  #version = -1;
  #stateReason = '';
  #cursor: AllCursor;
  /** The last source event handled (linked or not), for statistics. */
  #handled: { commit: number; prepare: number } | undefined;
  #processed = 0;
  #writesInProgress = 0;
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** Commands (enable, disable) run one at a time, in the order they came. */
  #commands: Promise<unknown> = Promise.resolve();

  private constructor(store: EventStore) {
    this.#store = store;
    this.#cursor = resumeCursor(store);
  }

  /** Recovers the projection from the log; starts it when it was enabled. */
  static open(store: EventStore): ByCategoryProjection {
    const projection = new ByCategoryProjection(store);
    const definition = readDefinition(store, BY_CATEGORY);
    if (definition) {
      projection.#enabled = definition.enabled;
      projection.#version = definition.version;
    }
    if (projection.#enabled) projection.#start();
    return projection;
  }

  /** Enables and starts it; a running projection is left as it is (EventStoreDB does the same). */
  enable(): Promise<void> {
    return this.#command(async () => {
      if (this.#enabled && this.#status === 'Running') return;
      await this.#persist(true);
      this.#start();
    });
  }

  /** Stops it after the batch in flight and disables it: `Stopped`, or `Aborted` when `abort`. */
  disable(abort: boolean): Promise<void> {
    return this.#command(async () => {
      await this.#stop();
      await this.#persist(false);
      this.#status = abort ? 'Aborted' : 'Stopped';
    });
  }

  statistics(): ProjectionStatistics {
    const handled = this.#handled;
    return {
      name: BY_CATEGORY,
      status: this.#status,
      stateReason: this.#stateReason,
      epoch: this.#version < 0 ? -1 : 0,
      version: this.#version,
      position: positionText(handled),
      progress: progressPercent(this.#cursor.position, this.#store.committedEnd),
      eventsProcessedAfterRestart: this.#processed,
      writesInProgress: this.#writesInProgress,
    };
  }

  /** Stops the projection (not its definition) so the store can close. */
  close(): Promise<void> {
    return this.#stop();
  }

  #command(run: () => Promise<void>): Promise<void> {
    const next = this.#commands.then(run);
    this.#commands = next.catch(() => {});
    return next;
  }

  async #persist(enabled: boolean): Promise<void> {
    const version = this.#version + 1;
    await writeDefinition(this.#store, BY_CATEGORY, HANDLER_TYPE, QUERY, { enabled, version });
    this.#enabled = enabled;
    this.#version = version;
  }

  #start(): void {
    // From the links themselves: after a fault, links of a batch cut short are neither lost nor
    // written twice.
    this.#cursor = resumeCursor(this.#store);
    this.#status = 'Running';
    this.#stateReason = '';
    const unsubscribe = this.#store.onCommit(() => this.#wakeUp());
    this.#running = this.#run()
      .catch((error: Error) => {
        this.#status = 'Faulted';
        this.#stateReason = error.message;
        log.error({ err: error }, `${BY_CATEGORY} faulted`);
      })
      .finally(unsubscribe);
  }

  async #stop(): Promise<void> {
    if (this.#status === 'Running') this.#status = 'Stopped';
    this.#wakeUp();
    await this.#running;
    this.#running = undefined;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #run(): Promise<void> {
    while (this.#status === 'Running') {
      if (this.#cursor.position >= this.#store.committedEnd) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        continue;
      }
      await this.#runBatch();
    }
  }

  /** Links for the next durable events of `$all`, appended in `$all` order, all awaited. */
  async #runBatch(): Promise<void> {
    const stamp = { projectionId: PROJECTION_ID, epoch: 0, version: this.#version };
    const writes: Array<Promise<WriteResult>> = [];
    let last: LogEvent | undefined;
    let count = 0;
    for (const event of this.#cursor.eventsBefore(this.#store.committedEnd)) {
      last = event;
      const link = linkFor(event, stamp);
      // Reserved synchronously, so the links sit in the log in the order of their sources.
      if (link) writes.push(this.#store.append(link.stream, { kind: 'any' }, [linkEvent(link)]));
      if (++count >= BATCH_EVENTS) break;
    }
    this.#writesInProgress = writes.length;
    const results = await Promise.allSettled(writes);
    this.#writesInProgress = 0;
    for (const result of results) {
      if (result.status === 'rejected') throw result.reason;
      if (result.value.kind === 'stream_deleted') {
        throw new Error('A $ce- stream is deleted (tombstoned): cannot emit events to it');
      }
    }
    this.#processed += count;
    if (last) this.#handled = { commit: last.commit, prepare: last.position };
  }
}

function linkEvent(link: CategoryLink): ProposedEvent {
  return {
    id: Buffer.from(crypto.randomUUID().replaceAll('-', ''), 'hex'),
    type: '$>',
    // EventStoreDB's emitted links are not JSON (`EmittedLinkTo.IsJson` is false).
    contentType: 'application/octet-stream',
    data: Buffer.from(link.target, 'utf8'),
    metadata: Buffer.from(JSON.stringify(link.metadata), 'utf8'),
  };
}

/** Just after the last source event that has its link (the start of `$all` when none has). */
function resumeCursor(store: EventStore): AllCursor {
  const lastLinked = lastLinkedSourcePosition(store);
  return new AllCursor(store, lastLinked === undefined ? LOG_HEADER_SIZE : lastLinked + 1);
}

/** The `$p` of the last link this projection wrote: the last source position it handled. */
function lastLinkedSourcePosition(store: EventStore): number | undefined {
  let last: number | undefined;
  for (const stream of store.streams()) {
    if (!stream.name.startsWith(CATEGORY_STREAM_PREFIX)) continue;
    const event = store.lastDurableEvent(stream);
    const source = event && sourcePositionOf(event);
    if (source !== undefined && (last === undefined || source > last)) last = source;
  }
  return last;
}
