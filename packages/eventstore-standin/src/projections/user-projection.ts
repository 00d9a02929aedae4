import { AllCursor } from '../grpc/all-cursor.js';
import { LOG_HEADER_SIZE } from '../log/event-log.js';
import type { LogEvent } from '../log/record.js';
import { createLogger } from '../logger.js';
import type { EventStore } from '../store/event-store.js';
import type { WriteResult } from '../store/types.js';
import type { ProjectionStamp } from './by-category.js';
import type { ProjectionStatistics, ProjectionStatus } from './by-category-projection.js';
import { alreadyEmitted, emittedEventFor } from './emitted-events.js';
import { ProjectionRuntime } from './js-runtime.js';
import { readCheckpoint, writeCheckpoint } from './projection-checkpoint.js';
import { readDefinition, type StoredDefinition, writeDefinition } from './projection-definition.js';
import { sourceEventOf } from './query-source.js';
import { positionText, progressPercent } from './statistics-fields.js';

const log = createLogger('eventstore.projections');

export const JS_HANDLER_TYPE = 'JS';
/** Events of `$all` looked at per batch at most; their emitted events share group commits. */
const BATCH_EVENTS = 4096;
/** A batch also ends after this much handler time, so other work on the event loop goes on. */
const BATCH_MS = 20;
/** EventStoreDB's default `CheckpointHandledThreshold`: events handled between checkpoints. */
const CHECKPOINT_HANDLED_THRESHOLD = 4000;

/**
 * A continuous user-defined JavaScript projection: runs its query (js-runtime.ts) over `$all`
 * from the start, then live, and appends what the handlers emit (`linkTo`, `emit`) in `$all`
 * order, one append per emitted event.
 *
 * Durable without trusting timing: the definition is the last `$ProjectionUpdated` in
 * `$projections-<name>`; the state and the point reached are the last `$ProjectionCheckpoint` in
 * `$projections-<name>-checkpoint` (every 4,000 events handled, and when it is disabled or the
 * server closes). On start it loads that state and replays the events after the checkpoint; the
 * events it had already emitted for them (found by their `$v`/`$p` tags) are not written again.
 */
export class UserProjection {
  readonly name: string;
  /** EventStoreDB's projection id (the first part of `$v`). */
  readonly id: number;
  readonly #store: EventStore;
  #definition: StoredDefinition;
  #runtime: ProjectionRuntime | undefined;
  #status: ProjectionStatus = 'Stopped';
  #stateReason = '';
  #cursor: AllCursor;
  #handled: { commit: number; prepare: number } | undefined;
  #checkpointed: { commit: number; prepare: number } | undefined;
  #processed = 0;
  #sinceCheckpoint = 0;
  #writesInProgress = 0;
  /** Emitted events already in the log for source positions past the checkpoint. */
  #written = new Map<number, number>();
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #commands: Promise<unknown> = Promise.resolve();

  private constructor(store: EventStore, name: string, id: number, definition: StoredDefinition) {
    this.#store = store;
    this.name = name;
    this.id = id;
    this.#definition = definition;
    this.#cursor = new AllCursor(store, LOG_HEADER_SIZE);
  }

  /** Recovers a projection from its definition; starts it when it is enabled. */
  static open(store: EventStore, name: string, id: number): UserProjection | undefined {
    const definition = readDefinition(store, name);
    if (!definition) return undefined;
    const projection = new UserProjection(store, name, id, definition);
    if (definition.enabled) projection.#start();
    return projection;
  }

  /** Writes the definition of a new projection (enabled) and starts it. */
  static async create(
    store: EventStore,
    name: string,
    id: number,
    query: string,
    emitEnabled: boolean,
  ): Promise<UserProjection> {
    const definition: StoredDefinition = {
      enabled: true,
      version: 0,
      query,
      handlerType: JS_HANDLER_TYPE,
      emitEnabled,
    };
    await writeDefinition(store, name, JS_HANDLER_TYPE, query, definition);
    const projection = new UserProjection(store, name, id, definition);
    projection.#start();
    return projection;
  }

  get query(): string {
    return this.#definition.query;
  }

  enable(): Promise<void> {
    return this.#command(async () => {
      if (this.#definition.enabled && this.#status === 'Running') return;
      await this.#persist(true);
      this.#start();
    });
  }

  disable(abort: boolean): Promise<void> {
    return this.#command(async () => {
      await this.#stop(!abort);
      await this.#persist(false);
      this.#status = abort ? 'Aborted' : 'Stopped';
    });
  }

  /**
   * Checks that it may be deleted and keeps it from starting again while that happens: as on
   * EventStoreDB, only a Stopped or Faulted projection may be.
   */
  prepareDelete(): Promise<void> {
    return this.#command(async () => {
      if (this.#status !== 'Stopped' && this.#status !== 'Faulted') {
        throw new Error("Cannot delete a projection that hasn't been stopped or faulted.");
      }
      this.#status = 'Stopped';
    });
  }

  /** The state as EventStoreDB's State answers it: JSON text, '' when there is none yet. */
  state(): string {
    return this.#runtime?.state() ?? '';
  }

  /** The result (`transformBy`/`filterBy` applied), JSON text, '' when there is none. */
  result(): string {
    return this.#runtime?.result() ?? '';
  }

  statistics(): ProjectionStatistics {
    const handled = this.#handled;
    const checkpointed = this.#checkpointed;
    return {
      name: this.name,
      status: this.#status,
      stateReason: this.#stateReason,
      epoch: 0,
      version: this.#definition.version,
      position: positionText(handled),
      lastCheckpoint: positionText(checkpointed),
      progress: progressPercent(this.#cursor.position, this.#store.committedEnd),
      eventsProcessedAfterRestart: this.#processed,
      writesInProgress: this.#writesInProgress,
    };
  }

  /** Stops it (writing a checkpoint) so the store can close; the definition is unchanged. */
  close(): Promise<void> {
    return this.#command(() => this.#stop(true));
  }

  #command(run: () => Promise<void>): Promise<void> {
    const next = this.#commands.then(run);
    this.#commands = next.catch(() => {});
    return next;
  }

  get #stamp(): ProjectionStamp {
    return { projectionId: this.id, epoch: 0, version: this.#definition.version };
  }

  async #persist(enabled: boolean): Promise<void> {
    const definition = { ...this.#definition, enabled, version: this.#definition.version + 1 };
    await writeDefinition(this.#store, this.name, JS_HANDLER_TYPE, definition.query, definition);
    this.#definition = definition;
  }

  #start(): void {
    this.#status = 'Running';
    this.#stateReason = '';
    this.#processed = 0;
    this.#handled = undefined;
    this.#checkpointed = undefined;
    this.#sinceCheckpoint = 0;
    try {
      const runtime = ProjectionRuntime.compile(this.#definition.query);
      if (!runtime.definition.source) {
        throw new Error(
          'The query selects no events: it needs fromAll(), fromStream(), fromStreams() or fromCategory()',
        );
      }
      const checkpoint = readCheckpoint(this.#store, this.name, this.id);
      if (checkpoint) runtime.load(checkpoint.state);
      else runtime.initialize();
      this.#runtime = runtime;
      this.#cursor = new AllCursor(
        this.#store,
        checkpoint ? checkpoint.position + 1 : LOG_HEADER_SIZE,
      );
      this.#written = alreadyEmitted(this.#store, this.id, this.#cursor.position);
      if (checkpoint) {
        const at = this.#store.readAt(checkpoint.position);
        this.#handled = { commit: at.commit, prepare: at.position };
        this.#checkpointed = this.#handled;
      }
    } catch (error) {
      this.#fault(error as Error);
      return;
    }
    const unsubscribe = this.#store.onCommit(() => this.#wakeUp());
    this.#running = this.#run()
      .catch((error: Error) => this.#fault(error))
      .finally(unsubscribe);
  }

  #fault(error: Error): void {
    this.#status = 'Faulted';
    this.#stateReason = error.message;
    log.warn({ projection: this.name, reason: error.message }, 'projection faulted');
  }

  async #stop(checkpoint: boolean): Promise<void> {
    const wasRunning = this.#status === 'Running';
    if (wasRunning) this.#status = 'Stopped';
    this.#wakeUp();
    await this.#running;
    this.#running = undefined;
    if (wasRunning && checkpoint) await this.#checkpoint();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #run(): Promise<void> {
    while (this.#status === 'Running') {
      if (this.#cursor.position >= this.#store.committedEnd) {
        if (this.#sinceCheckpoint >= CHECKPOINT_HANDLED_THRESHOLD) await this.#checkpoint();
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        continue;
      }
      await this.#runBatch();
      if (this.#sinceCheckpoint >= CHECKPOINT_HANDLED_THRESHOLD) await this.#checkpoint();
    }
  }

  async #checkpoint(): Promise<void> {
    const handled = this.#handled;
    const runtime = this.#runtime;
    if (!handled || !runtime || handled === this.#checkpointed) return;
    await writeCheckpoint(this.#store, this.name, this.#stamp, handled, runtime.checkpoint());
    this.#checkpointed = handled;
    this.#sinceCheckpoint = 0;
  }

  /** Handles the next durable events; their emitted events are appended in order, all awaited. */
  async #runBatch(): Promise<void> {
    const runtime = this.#runtime;
    if (!runtime) return;
    const writes: Array<Promise<WriteResult>> = [];
    const started = performance.now();
    let failure: Error | undefined;
    let count = 0;
    for (const event of this.#cursor.eventsBefore(this.#store.committedEnd)) {
      try {
        this.#handle(runtime, event, writes);
      } catch (error) {
        failure = error as Error;
        break;
      }
      this.#handled = { commit: event.commit, prepare: event.position };
      count++;
      if (count >= BATCH_EVENTS || performance.now() - started > BATCH_MS) break;
    }
    this.#processed += count;
    this.#sinceCheckpoint += count;
    this.#writesInProgress = writes.length;
    const results = await Promise.allSettled(writes);
    this.#writesInProgress = 0;
    for (const line of runtime.logs()) log.debug({ projection: this.name }, line);
    if (failure) throw failure;
    for (const result of results) {
      if (result.status === 'rejected') throw result.reason;
      if (result.value.kind === 'stream_deleted') {
        throw new Error('An emitted stream is deleted (tombstoned): cannot emit events to it');
      }
    }
  }

  /** Runs the handler for one event of `$all` and reserves its emitted events' appends. */
  #handle(runtime: ProjectionRuntime, event: LogEvent, writes: Array<Promise<WriteResult>>): void {
    const envelope = sourceEventOf(this.#store, runtime.definition, event);
    if (!envelope) return;
    // EventStoreDB hands no JSON event with an empty body to the handlers.
    if (envelope.isJson && envelope.bodyRaw.trim() === '') return;
    const emitted = runtime.handle(envelope);
    if (emitted.length === 0) return;
    if (!this.#definition.emitEnabled) {
      throw new Error("'emit' is not allowed by the projection/configuration/mode");
    }
    // After a restart, the ones this event already emitted before it are in the log.
    const skip = this.#written.get(event.position) ?? 0;
    this.#written.delete(event.position);
    for (const [index, out] of emitted.entries()) {
      if (index < skip) continue;
      const proposed = emittedEventFor(out, event, envelope, this.#stamp);
      // Reserved synchronously, so emitted events sit in the log in the order of their sources.
      writes.push(this.#store.append(out.stream, { kind: 'any' }, [proposed]));
    }
  }
}
