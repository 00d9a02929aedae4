import { randomUUID } from 'node:crypto';
import type { EventStore } from '../store/event-store.js';
import type { ProjectionStamp } from './by-category.js';
import { versionTag } from './emitted-events.js';

/**
 * A user projection's checkpoint, as EventStoreDB keeps it: `$ProjectionCheckpoint` events in
 * `$projections-<name>-checkpoint`, the last one current. Its data is the state at that point;
 * its metadata the checkpoint tag (`$v`, and `$c`/`$p` of the last event handled).
 */
export const PROJECTION_CHECKPOINT = '$ProjectionCheckpoint';

export interface Checkpoint {
  /** The state, as ProjectionRuntime.checkpoint() serialized it. */
  state: string;
  /** Prepare position of the last event of `$all` handled. */
  position: number;
}

export function checkpointStream(name: string): string {
  return `$projections-${name}-checkpoint`;
}

/**
 * The last checkpoint of projection `projectionId`. One left by an earlier projection of the
 * same name (deleted, then created again) has another id in its `$v` and is not taken.
 */
export function readCheckpoint(
  store: EventStore,
  name: string,
  projectionId: number,
): Checkpoint | undefined {
  const stream = store.stream(checkpointStream(name));
  const last = stream && store.lastDurableEvent(stream);
  if (!last || last.type !== PROJECTION_CHECKPOINT) return undefined;
  try {
    const tag = JSON.parse(last.metadata.toString('utf8')) as Record<string, unknown>;
    if (typeof tag.$p !== 'number') return undefined;
    if (typeof tag.$v !== 'string' || !tag.$v.startsWith(`${projectionId}:`)) return undefined;
    return { state: last.data.toString('utf8'), position: tag.$p };
  } catch {
    return undefined;
  }
}

/** Appends a checkpoint; resolves once it is durable. */
export async function writeCheckpoint(
  store: EventStore,
  name: string,
  stamp: ProjectionStamp,
  at: { commit: number; prepare: number },
  state: string,
): Promise<void> {
  const metadata = { $v: versionTag(stamp), $c: at.commit, $p: at.prepare };
  const result = await store.append(checkpointStream(name), { kind: 'any' }, [
    {
      id: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'),
      type: PROJECTION_CHECKPOINT,
      contentType: 'application/json',
      data: Buffer.from(state, 'utf8'),
      metadata: Buffer.from(JSON.stringify(metadata), 'utf8'),
    },
  ]);
  if (result.kind !== 'success') {
    throw new Error(`could not write the checkpoint of ${name} (${result.kind})`);
  }
}
