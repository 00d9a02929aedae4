import type { EventStoreDBClient, Position } from '@eventstore/db-client';
import type { Db } from 'mongodb';
import type { Projection } from '../read/projections/index.js';
import { shadowCollectionName } from './names.js';
import type { RebuildRequests } from './rebuild-requests.js';
import { ShadowBuilder } from './shadow-builder.js';

export class SwitchAbandoned extends Error {}

/**
 * The switch itself, run by whoever claimed it while nothing else writes the live collection
 * (the leader's projector, between two batches; or the CLI when no Tally runs):
 *
 * 1. catch the copy up to `target`, the position the live collection reflects;
 * 2. check the claim (and the caller's lease) is still held;
 * 3. `renameCollection` the copy over the live collection with `dropTarget`: one atomic step
 *    in MongoDB, so a query reads the old collection or the new one, never a mix, and the old
 *    copy is dropped by the same command;
 * 4. forget the copy's checkpoint, returning the position it had reached.
 *
 * Every step may be repeated after a crash: catching up is idempotent, and a copy already
 * renamed (NamespaceNotFound) means an earlier attempt got that far.
 */
export async function switchIn(deps: {
  client: EventStoreDBClient;
  db: Db;
  requests: RebuildRequests;
  /** The writer's projection (fenced on a leader). */
  projection: Projection;
  /** The claim's token (RebuildRequests.claim). */
  token: number;
  /** What the live collection reflects; undefined: the head (no live writer). */
  target: Position | undefined;
  /** On a leader: is its lease still held, with time to spare? */
  stillAllowed?: () => Promise<boolean>;
}): Promise<Position | undefined> {
  const { db, projection } = deps;
  const builder = new ShadowBuilder(deps.client, db, projection);
  await builder.catchUp(deps.target ? { until: deps.target.commit } : {});
  if (!(await deps.requests.holds(projection.name, deps.token))) {
    throw new SwitchAbandoned(`the switch of ${projection.name} was taken over by a newer leader`);
  }
  if (deps.stillAllowed && !(await deps.stillAllowed())) {
    throw new SwitchAbandoned(`the lease was lost while switching ${projection.name}`);
  }
  try {
    await db.renameCollection(shadowCollectionName(projection.name), projection.name, {
      dropTarget: true,
    });
  } catch (error) {
    if ((error as { code?: number }).code !== 26) throw error; // NamespaceNotFound: renamed before
  }
  const reached = await builder.position();
  await builder.forgetCheckpoint();
  return reached;
}
