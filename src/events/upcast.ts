import type { EventMetadata, RecordedEvent, StoredEvent } from './recorded-event.js';
import { currentSchemaVersion, upcasterFrom } from './registry.js';
import { type EventRef, type StreamSoFar, streamAfter, UpcastError } from './upcaster.js';

/** The schema version an event was written under; events from before the envelope are v1. */
export function writtenVersion(stored: StoredEvent): number {
  const version = stored.metadata?.schemaVersion;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : 1;
}

/** Whether upcasting this event needs the stream before it (see Upcaster.needsStream). */
export function needsStream(stored: StoredEvent): boolean {
  let type = stored.type;
  let version = writtenVersion(stored);
  for (let next = upcasterFrom(type, version); next; next = upcasterFrom(type, version)) {
    if (next.needsStream) return true;
    ({ type, version } = next.to);
  }
  return false;
}

/** Whether the event was written in an older shape than today's. */
export function isLegacy(stored: StoredEvent): boolean {
  return upcasterFrom(stored.type, writtenVersion(stored)) !== undefined;
}

/**
 * Brings a stored event to the current shape of its type, applying its chain of upcasters
 * vN → vN+1 in order. `before` is the stream up to the previous event; it must be exact when
 * `needsStream(stored)`. An event written by a newer Tally than this one is refused, by name.
 */
export function upcast(stored: StoredEvent, before: StreamSoFar): RecordedEvent {
  const written = { type: stored.type, schemaVersion: writtenVersion(stored) };
  let { type, schemaVersion: version } = written;
  let data = stored.data;
  for (let next = upcasterFrom(type, version); next; next = upcasterFrom(type, version)) {
    const ref: EventRef = {
      streamId: stored.streamId,
      revision: stored.revision,
      type,
      schemaVersion: version,
    };
    data = next.upcast(data, before, ref);
    ({ type, version } = next.to);
  }
  const current = currentSchemaVersion(type);
  if (version !== current) {
    const ref = {
      streamId: stored.streamId,
      revision: stored.revision,
      type,
      schemaVersion: version,
    };
    throw new UpcastError(
      ref,
      version > current
        ? `this Tally knows ${type} only up to v${current}; it was written by a newer one`
        : `no upcaster from v${version} of ${type} is registered`,
    );
  }
  return {
    type,
    data,
    metadata: (stored.metadata ?? {}) as EventMetadata,
    streamId: stored.streamId,
    revision: stored.revision,
    position: stored.position ?? { commit: 0n, prepare: 0n },
    created: stored.created,
    written,
    id: stored.id,
  };
}

/** Upcasts events of one stream read in order from `before`, carrying the stream along. */
export class StreamUpcaster {
  constructor(public before: StreamSoFar) {}

  next(stored: StoredEvent): RecordedEvent {
    const event = upcast(stored, this.before);
    this.before = streamAfter(this.before, stored.revision, event.data);
    return event;
  }
}
