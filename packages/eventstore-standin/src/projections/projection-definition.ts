import { randomUUID } from 'node:crypto';
import type { EventStore } from '../store/event-store.js';

/**
 * A projection's definition as EventStoreDB keeps it: `$ProjectionUpdated` events in
 * `$projections-<name>`, the last one being the current state. Only what the stand-in needs is
 * read back (enabled, version); the rest is written as EventStoreDB writes it for `$by_category`.
 */
export interface ProjectionDefinition {
  enabled: boolean;
  /** Incremented by every update; -1 before the first. */
  version: number;
  /** Whether the query may emit (`emitEnabled`); true when not given. */
  emitEnabled?: boolean;
}

/** A user projection's definition: its query too. */
export interface StoredDefinition extends ProjectionDefinition {
  query: string;
  handlerType: string;
  emitEnabled: boolean;
}

export const PROJECTION_UPDATED = '$ProjectionUpdated';

export function definitionStream(name: string): string {
  return `$projections-${name}`;
}

/** The last durable definition, or undefined when the projection was never enabled or disabled. */
export function readDefinition(store: EventStore, name: string): StoredDefinition | undefined {
  const stream = store.stream(definitionStream(name));
  const last = stream && store.lastDurableEvent(stream);
  if (!last || last.type !== PROJECTION_UPDATED) return undefined;
  try {
    const parsed = JSON.parse(last.data.toString('utf8')) as Record<string, unknown>;
    return {
      enabled: parsed.enabled === true,
      version: typeof parsed.version === 'number' ? parsed.version : Number(last.revision),
      query: typeof parsed.query === 'string' ? parsed.query : '',
      handlerType: typeof parsed.handlerType === 'string' ? parsed.handlerType : '',
      emitEnabled: parsed.emitEnabled !== false,
    };
  } catch {
    return undefined;
  }
}

/** Appends the new definition; resolves once it is durable. */
export async function writeDefinition(
  store: EventStore,
  name: string,
  handlerType: string,
  query: string,
  definition: ProjectionDefinition,
): Promise<void> {
  const data = {
    handlerType,
    query,
    mode: 'Continuous',
    enabled: definition.enabled,
    emitEnabled: definition.emitEnabled ?? true,
    checkpointsDisabled: false,
    trackEmittedStreams: false,
    epoch: 0,
    version: definition.version,
    runAs: { name: '$system' },
  };
  const result = await store.append(definitionStream(name), { kind: 'any' }, [
    {
      id: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'),
      type: PROJECTION_UPDATED,
      contentType: 'application/json',
      data: Buffer.from(JSON.stringify(data)),
      metadata: Buffer.alloc(0),
    },
  ]);
  if (result.kind !== 'success') {
    throw new Error(`could not write the definition of ${name} (${result.kind})`);
  }
}
