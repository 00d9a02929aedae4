import { randomUUID } from 'node:crypto';
import type { EventStore } from '../store/event-store.js';
import { BY_CATEGORY, ByCategoryProjection } from './by-category-projection.js';
import { ProjectionRuntime, ProjectionScriptError } from './js-runtime.js';
import { checkpointStream } from './projection-checkpoint.js';
import { UserProjection } from './user-projection.js';

/** Where EventStoreDB records the projections that exist: `$ProjectionCreated` events. */
export const PROJECTIONS_ALL_STREAM = '$projections-$all';
const PROJECTION_CREATED = '$ProjectionCreated';
const PROJECTION_DELETED = '$ProjectionDeleted';
/**
 * EventStoreDB numbers projections (the first part of `$v`) by the event number of their
 * `$ProjectionCreated`: `$ProjectionsInitialized` then the five standard projections come first,
 * so the first user projection is 6. The stand-in does not write the standard ones there, so a
 * user projection's id is 6 + the revision of its `$ProjectionCreated`.
 */
const FIRST_USER_PROJECTION_ID = 6;

/** The other standard projections of EventStoreDB, which the stand-in does not run. */
export const OTHER_SYSTEM_PROJECTIONS = new Set([
  '$streams',
  '$stream_by_category',
  '$by_event_type',
  '$by_correlation_id',
]);

export type CreateOutcome =
  | { kind: 'created' }
  | { kind: 'conflict' }
  /** The query uses a feature the stand-in does not run (nothing is created). */
  | { kind: 'unsupported'; feature: string };

/** Every projection the stand-in runs: `$by_category` and the user-defined ones. */
export class ProjectionRegistry {
  readonly byCategory: ByCategoryProjection;
  readonly #store: EventStore;
  readonly #users = new Map<string, UserProjection>();
  #creating: Promise<unknown> = Promise.resolve();

  private constructor(store: EventStore, byCategory: ByCategoryProjection) {
    this.#store = store;
    this.byCategory = byCategory;
  }

  /** Recovers every projection from the log; the enabled ones start. */
  static open(store: EventStore): ProjectionRegistry {
    const registry = new ProjectionRegistry(store, ByCategoryProjection.open(store));
    const stream = store.stream(PROJECTIONS_ALL_STREAM);
    const count = stream ? store.durableCount(stream) : 0;
    /** Name → id of the projections created and not deleted since. */
    const live = new Map<string, number>();
    for (let revision = 0; stream && revision < count; revision++) {
      const event = store.readAt(stream.positions.at(revision));
      const name = event.data.toString('utf8');
      if (event.type === PROJECTION_DELETED) live.delete(name);
      if (event.type === PROJECTION_CREATED) live.set(name, FIRST_USER_PROJECTION_ID + revision);
    }
    for (const [name, id] of live) {
      const projection = UserProjection.open(store, name, id);
      if (projection) registry.#users.set(name, projection);
    }
    return registry;
  }

  user(name: string): UserProjection | undefined {
    return this.#users.get(name);
  }

  users(): UserProjection[] {
    return [...this.#users.values()];
  }

  /** Creates and starts a continuous JavaScript projection. */
  create(name: string, query: string, emitEnabled: boolean): Promise<CreateOutcome> {
    const next = this.#creating.then(async (): Promise<CreateOutcome> => {
      if (name === BY_CATEGORY || OTHER_SYSTEM_PROJECTIONS.has(name) || this.#users.has(name)) {
        return { kind: 'conflict' };
      }
      const feature = unsupportedFeature(query);
      if (feature) return { kind: 'unsupported', feature };
      const result = await this.#store.append(PROJECTIONS_ALL_STREAM, { kind: 'any' }, [
        {
          id: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'),
          type: PROJECTION_CREATED,
          // EventStoreDB writes the name as the data, not JSON.
          contentType: 'application/octet-stream',
          data: Buffer.from(name, 'utf8'),
          metadata: Buffer.alloc(0),
        },
      ]);
      if (result.kind !== 'success') throw new Error(`could not register ${name} (${result.kind})`);
      const id = FIRST_USER_PROJECTION_ID + Number(result.currentRevision);
      const projection = await UserProjection.create(this.#store, name, id, query, emitEnabled);
      this.#users.set(name, projection);
      return { kind: 'created' };
    });
    this.#creating = next.catch(() => {});
    return next;
  }

  /**
   * Deletes a Stopped or Faulted user projection: a `$ProjectionDeleted` in `$projections-$all`,
   * and its checkpoint stream when asked. Its emitted streams stay (deleting them needs
   * `trackEmittedStreams`, which the stand-in does not do). The name may then be created again.
   */
  delete(name: string, deleteCheckpointStream: boolean): Promise<'deleted' | 'not_found'> {
    const next = this.#creating.then(async (): Promise<'deleted' | 'not_found'> => {
      const projection = this.#users.get(name);
      if (!projection) return 'not_found';
      await projection.prepareDelete();
      const result = await this.#store.append(PROJECTIONS_ALL_STREAM, { kind: 'any' }, [
        {
          id: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'),
          type: PROJECTION_DELETED,
          contentType: 'application/octet-stream',
          data: Buffer.from(name, 'utf8'),
          metadata: Buffer.alloc(0),
        },
      ]);
      if (result.kind !== 'success') throw new Error(`could not delete ${name} (${result.kind})`);
      this.#users.delete(name);
      if (deleteCheckpointStream) {
        await this.#store.deleteStream(checkpointStream(name), { kind: 'any' });
      }
      return 'deleted';
    });
    this.#creating = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    await this.#creating;
    await Promise.all([this.byCategory.close(), ...this.users().map((p) => p.close())]);
  }
}

/**
 * The feature of `query` the stand-in does not run, if any. A query that does not compile or
 * throws is not refused here: as on EventStoreDB, it is created and faults.
 */
function unsupportedFeature(query: string): string | undefined {
  try {
    return ProjectionRuntime.compile(query).definition.unsupported ?? undefined;
  } catch (error) {
    if (error instanceof ProjectionScriptError) return undefined;
    throw error;
  }
}
