import { randomUUID } from 'node:crypto';
import { type EventStoreDBClient, jsonEvent } from '@eventstore/db-client';

export interface FloodResult {
  /** Acknowledged appends per second over the whole flood. */
  rate: number;
  /** From the first append issued to the last answer. */
  seconds: number;
  acknowledged: number;
  refused: number;
  /** Appends reported failed whose event is in the stream anyway: must be 0. */
  refusedButWritten: number;
}

/**
 * The client's own flood test, measured: `count` appends of one ~1 KB event each, issued in one
 * event-loop turn to one stream, then the stream read back to check every answer.
 */
export async function flood(
  client: EventStoreDBClient,
  count: number,
  deadline?: number,
): Promise<FloodResult> {
  const stream = `flood-${randomUUID()}`;
  const ids = Array.from({ length: count }, () => randomUUID());
  const value = 'A'.repeat(904);
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    ids.map((id) =>
      client.appendToStream(
        stream,
        jsonEvent({ id, type: 'AnyEventType', data: { value } }),
        deadline ? { deadline } : {},
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const stored = new Set<string>();
  try {
    for await (const resolved of client.readStream(stream)) stored.add(resolved.event!.id);
  } catch {
    // StreamNotFound: nothing was written.
  }
  let acknowledged = 0;
  let refusedButWritten = 0;
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') acknowledged++;
    else if (stored.has(ids[i]!)) refusedButWritten++;
  });
  return {
    rate: acknowledged / seconds,
    seconds,
    acknowledged,
    refused: count - acknowledged,
    refusedButWritten,
  };
}
