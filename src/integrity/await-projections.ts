import type { Collection } from 'mongodb';
import type { CheckpointDocument } from '../read/documents.js';
import type { Difference } from './differences.js';
import { toBigInt } from './totals.js';

const POLL_MS = 100;

/**
 * Waits until every named checkpoint has passed `head` (a commit position), reading the
 * checkpoint documents the projector saves. Returns what is still behind when `waitMs` runs
 * out: nothing when the read models have caught up. The projector saves its checkpoint about
 * once a second, so a live ledger passes within a second or two of the head.
 */
export async function awaitCheckpoints(
  checkpoints: Collection<CheckpointDocument>,
  names: readonly string[],
  head: bigint,
  waitMs: number,
): Promise<Difference[]> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const docs = await checkpoints.find({ _id: { $in: [...names] } }).toArray();
    const reached = new Map(docs.map((doc) => [doc._id, toBigInt(doc.commit)]));
    const behind = names.filter((name) => (reached.get(name) ?? -1n) < head);
    if (behind.length === 0) return [];
    if (performance.now() >= deadline) {
      return behind.map((name) => ({
        subject: name,
        field: 'behind',
        detail:
          `its checkpoint is at ${reached.has(name) ? reached.get(name) : 'nothing yet'}, but the ` +
          `event store's last Tally event is at ${head} (waited ${Math.round(waitMs / 1000)} s); ` +
          'is Tally running, and its projector healthy?',
      }));
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
