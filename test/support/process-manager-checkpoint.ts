import type { EventStoreDBClient } from '@eventstore/db-client';
import type { Collection } from 'mongodb';
import type { CheckpointDocument } from '../../src/read/documents.js';

/**
 * Waits until a stored checkpoint passes a position, on a change stream rather than by
 * polling: for a Tally running as another process, whose progress this process cannot see.
 */
export async function checkpointPasses(
  checkpoints: Collection<CheckpointDocument>,
  name: string,
  position: bigint,
): Promise<void> {
  const stream = checkpoints.watch([{ $match: { 'documentKey._id': name } }], {
    fullDocument: 'updateLookup',
  });
  try {
    await stream.tryNext();
    const passed = (doc: CheckpointDocument | null | undefined) =>
      doc !== null && doc !== undefined && BigInt(String(doc.commit)) >= position;
    if (passed(await checkpoints.findOne({ _id: name }))) return;
    for await (const change of stream) {
      if ('fullDocument' in change && passed(change.fullDocument)) return;
    }
  } finally {
    await stream.close();
  }
}

/** Position of the last TransferSent in an account's stream (read to its end). */
export async function lastTransferSentIn(
  eventStore: EventStoreDBClient,
  accountId: string,
): Promise<bigint> {
  let last = 0n;
  for await (const resolved of eventStore.readStream(`account-${accountId}`)) {
    if (resolved.event?.type === 'TransferSent') last = resolved.event.position!.commit;
  }
  return last;
}
