import { type EventStoreDBClient, StreamNotFoundError } from '@eventstore/db-client';
import type { OriginalTransaction } from '../domain/account/commands.js';
import type { EventMetadata } from './envelope.js';

/**
 * The event at one revision of a stream, with the time it occurred (its metadata's occurredAt,
 * else the server's time); undefined when the stream is shorter or absent. Events never
 * change, so reading one outside the stream's queue is safe.
 */
export async function eventAt(
  client: EventStoreDBClient,
  streamName: string,
  revision: number,
): Promise<(OriginalTransaction & { actor?: string }) | undefined> {
  let found: (OriginalTransaction & { actor?: string }) | undefined;
  try {
    // Read to the end: a read left early keeps its gRPC call open.
    for await (const resolved of client.readStream(streamName, {
      fromRevision: BigInt(revision),
      maxCount: 1,
    })) {
      const event = resolved.event;
      if (!event || Number(event.revision) !== revision) continue;
      const metadata = event.metadata as Partial<EventMetadata> | undefined;
      found = {
        revision,
        type: event.type,
        data: event.data,
        occurredAt: metadata?.occurredAt ?? event.created.toISOString(),
        ...(metadata?.actor ? { actor: metadata.actor } : {}),
      };
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return found;
}
