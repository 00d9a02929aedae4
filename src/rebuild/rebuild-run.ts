import type { EventStoreDBClient } from '@eventstore/db-client';
import type { Db } from 'mongodb';
import { lastTallyEventPosition } from '../integrity/event-store-head.js';
import { CONSUMERS_LEASE } from '../leadership/leadership.js';
import { type LeaseDocument, MongoLease } from '../leadership/lease.js';
import { toLong } from '../read/position.js';
import type { Projection } from '../read/projections/index.js';
import { CLI_CLAIM, type RebuildDocument, RebuildRequests } from './rebuild-requests.js';
import { ShadowBuilder } from './shadow-builder.js';
import { switchIn } from './switch-in.js';

/** Ask for the switch once a pass over $all applies fewer events than this. */
const NEAR_HEAD_EVENTS = 200;
const POLL_MS = 100;

export interface RebuildProgress {
  /** Tally events applied to the copy by this run. */
  events: number;
  /** Position of the copy, and of the head when the run began (commit positions). */
  position: bigint;
  head: bigint;
  phase: 'building' | 'switching';
}

export interface RebuildResult {
  projection: string;
  events: number;
  ms: number;
  /** Where the copy took over from the old one. */
  position: bigint;
  /** The running leader's projector, or this process when no Tally ran. */
  switchedBy: 'projector' | 'this process';
}

export class RebuildRefused extends Error {}

/**
 * One blue/green rebuild, from the operator's side: build the copy to near the head (resuming
 * from its checkpoint), ask for the switch, and wait until it is done. The running leader's
 * projector switches it between two batches (projection-switching.ts). When no leader holds
 * the consumers' lease for `offlineAfterMs`, no projector writes the live collection, and this
 * process switches it itself, with the head as the target.
 */
export async function rebuildProjection(options: {
  client: EventStoreDBClient;
  db: Db;
  projection: Projection;
  onProgress?: (progress: RebuildProgress) => void;
  /** Give up waiting for a running projector to switch after this long (default 5 min). */
  waitMs?: number;
  offlineAfterMs?: number;
}): Promise<RebuildResult> {
  const { client, db, projection } = options;
  const name = projection.name;
  const requests = new RebuildRequests(db);
  const started = performance.now();
  const builder = new ShadowBuilder(client, db, projection);
  const head = (await lastTallyEventPosition(client))?.commit ?? -1n;
  const report = (phase: RebuildProgress['phase'], position: bigint) =>
    options.onProgress?.({ events: builder.events, position, head, phase });

  let doc = await requests.get(name);
  if (doc?.backfill && doc.state !== 'switched') {
    throw new RebuildRefused(
      `${name} is being backfilled by the running leader (a read model new to this ledger); ` +
        'it switches in by itself when caught up',
    );
  }
  // A request of an interrupted run, not yet claimed: take it back and go on building.
  if (doc?.state === 'requested' && !(await requests.withdraw(name)))
    doc = await requests.get(name);
  if (doc?.state !== 'switching' && doc?.state !== 'requested') {
    await requests.begin(name, false, new Date());
    await builder.prepare();
    for (;;) {
      const applied = await builder.catchUp({
        onPage: (progress) => report('building', progress.position),
      });
      if (applied < NEAR_HEAD_EVENTS) break;
    }
    await requests.request(name, new Date());
  }
  report('switching', (await builder.position())?.commit ?? -1n);
  const done = await awaitSwitch(options, requests);
  return {
    projection: name,
    events: builder.events,
    ms: performance.now() - started,
    position: done.position ? BigInt(done.position.toString()) : -1n,
    switchedBy: done.claimedBy === CLI_CLAIM ? 'this process' : 'projector',
  };
}

/** Waits for a projector to switch; switches here when none runs. */
async function awaitSwitch(
  options: Parameters<typeof rebuildProjection>[0],
  requests: RebuildRequests,
): Promise<RebuildDocument> {
  const { db, projection } = options;
  const name = projection.name;
  const waitUntil = performance.now() + (options.waitMs ?? 300_000);
  let leaderlessSince: number | undefined;
  for (;;) {
    const doc = await requests.get(name);
    if (doc?.state === 'switched') return doc;
    const leader = await leaseHolder(db);
    leaderlessSince = leader ? undefined : (leaderlessSince ?? performance.now());
    const leaderless =
      leaderlessSince !== undefined &&
      performance.now() - leaderlessSince >= (options.offlineAfterMs ?? 10_000);
    // Nobody else writes the live collection: catch up to the head and switch here.
    if (leaderless && (await requests.claim(name, CLI_CLAIM))) {
      const reached = await switchIn({
        client: options.client,
        db,
        requests,
        projection,
        token: CLI_CLAIM,
        target: undefined,
      });
      await requests.complete(name, CLI_CLAIM, toLong(reached?.commit ?? -1n), new Date());
      continue;
    }
    if (performance.now() > waitUntil) {
      throw new RebuildRefused(
        `the copy of ${name} is ready, but no projector switched it in; is Tally running? ` +
          'It switches as soon as its leader sees the request (run rebuild again to wait).',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function leaseHolder(db: Db): Promise<string | undefined> {
  const lease = await db
    .collection<LeaseDocument>(MongoLease.COLLECTION)
    .findOne({ _id: CONSUMERS_LEASE });
  return lease && lease.expiresAt.getTime() > Date.now() ? lease.holder : undefined;
}
