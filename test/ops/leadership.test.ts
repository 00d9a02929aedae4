import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, START } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ACCOUNT, OPEN_ACCOUNT, TRANSFER } from '../support/operations.js';
import type { Json } from '../support/test-tally.js';
import { authorizationFor, TEST_JWT_SECRET } from '../support/tokens.js';
import { TallyInstance } from './instance.js';

const instances: TallyInstance[] = [];
const eventStore = EventStoreDBClient.connectionString(inject('eventStoreUrl'));
const mongo = new MongoClient(inject('mongoUrl'));
const dataDir = await mkdtemp(join(tmpdir(), 'tally-leadership-'));
afterAll(async () => {
  for (const instance of instances) if (instance.isRunning) await instance.kill('SIGTERM');
  await mongo.close();
  await eventStore.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

async function post(instance: TallyInstance, query: string, variables: Json, as: Json = 'admin') {
  const response = await fetch(instance.url('/graphql'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: await authorizationFor(as) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Json; errors?: Json; extensions?: Json };
}

/** Resolves once `count` events of `type` are in the stream: a subscription, not a poll. */
async function eventsInStream(stream: string, type: string, count: number) {
  const seen: Json[] = [];
  if (count === 0) return seen;
  const subscription = eventStore.subscribeToStream(stream, { fromRevision: START });
  for await (const resolved of subscription) {
    if (resolved.event?.type === type) seen.push(resolved.event);
    if (seen.length >= count) break;
  }
  await subscription.unsubscribe();
  return seen;
}

/** The environment of instances sharing the test stores and one fresh MongoDB database. */
function instancesOnFreshDatabase() {
  const database = `test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const env = {
    EVENTSTORE_URL: inject('eventStoreUrl'),
    MONGODB_URL: inject('mongoUrl'),
    MONGODB_DB: database,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: dataDir,
  };
  return { database, env };
}

describe('several instances on the same stores', () => {
  it('one leader at a time; when it is SIGKILLed another takes over and every transfer settles exactly once', async () => {
    const { database, env } = instancesOnFreshDatabase();
    for (const name of ['a', 'b', 'c']) instances.push(await TallyInstance.start(name, env));
    const [a, b, c] = instances as [TallyInstance, TallyInstance, TallyInstance];
    const firstToken = await a.elected();
    const metrics = await Promise.all(
      instances.map(async (i) => (await fetch(i.url('/metrics'))).text()),
    );
    expect(metrics.map((text) => /^tally_leader (\d)$/m.exec(text)?.[1])).toEqual(['1', '0', '0']);

    // A customer's three source accounts and three targets, opened through each instance.
    const owner = randomUUID();
    const customer = { role: 'customer', sub: owner };
    const open = async (instance: TallyInstance, initialDeposit?: string) => {
      const result = await post(
        instance,
        OPEN_ACCOUNT,
        {
          input: { ownerId: owner, currency: 'USD', ...(initialDeposit ? { initialDeposit } : {}) },
        },
        customer,
      );
      expect(result.data?.openAccount.__typename, JSON.stringify(result)).toBe(
        'AccountCommandSuccess',
      );
      return result.data.openAccount.account.id as string;
    };
    const sources = [await open(a, '1000.00'), await open(b, '1000.00'), await open(c, '1000.00')];
    const targets = [await open(a), await open(b), await open(c)];

    const sent = new Map<string, number>(); // transfer id -> index of its target
    const transfer = async (instance: TallyInstance, i: number) => {
      const result = await post(
        instance,
        TRANSFER,
        {
          input: {
            fromAccountId: sources[i % 3],
            toAccountId: targets[i % 3],
            amount: '1.00',
            idempotencyKey: `t-${database}-${i}`,
          },
        },
        customer,
      );
      expect(result.data?.transferMoney.__typename, JSON.stringify(result)).toBe('TransferSuccess');
      sent.set(result.data.transferMoney.transfer.id, i % 3);
    };
    // Through all three at once, then the leader dies with transfers in flight.
    await Promise.all(Array.from({ length: 30 }, (_, i) => transfer(instances[i % 3]!, i)));
    const killedAt = performance.now();
    await a.kill('SIGKILL');
    await Promise.all(Array.from({ length: 16 }, (_, i) => transfer([b, c][i % 2]!, 30 + i)));

    const newToken = await Promise.race([b.elected(firstToken), c.elected(firstToken)]);
    const takeoverMs = Math.round(performance.now() - killedAt);
    console.log(`leader SIGKILLed; another instance took over after ${takeoverMs} ms`);
    expect(newToken).toBeGreaterThan(firstToken);
    const leader = b.lines.some((l) => Number(l.token) === newToken) ? b : c;
    const follower = leader === b ? c : b;

    // Every transfer settles exactly once: one credit per transfer in its target's stream and one
    // delivery confirmation in its source's, however the work was split between the leaders.
    const perTarget = [0, 1, 2].map((t) => [...sent.values()].filter((x) => x === t).length);
    for (const t of [0, 1, 2]) {
      const delivered = await eventsInStream(
        `account-${sources[t]}`,
        'TransferDelivered',
        perTarget[t]!,
      );
      const received = await eventsInStream(
        `account-${targets[t]}`,
        'TransferReceived',
        perTarget[t]!,
      );
      const credited = received.map((e: Json) => e.data.transferId as string);
      expect(new Set(credited).size).toBe(credited.length);
      expect(new Set(delivered.map((e: Json) => e.data.transferId)).size).toBe(perTarget[t]);
    }

    // The read models, read through the follower, agree: each target holds exactly its credits.
    const last = await lastPosition();
    for (const t of [0, 1, 2]) {
      const answer = await post(follower, ACCOUNT, {
        id: targets[t],
        consistentWith: String(last),
      });
      expect(answer.data?.account.balance.amount, JSON.stringify(answer)).toBe(
        `${perTarget[t]}.00`,
      );
      expect(answer.extensions?.readModel.lagMs).toBeGreaterThanOrEqual(0);
    }

    // What the new leader wrote carries its token; the checkpoints are its own. A write of the
    // old term would have to match `_fence <= old token` and so lands nowhere.
    const db = mongo.db(database);
    const lease = await db.collection('leases').findOne({ _id: 'consumers' as never });
    expect(lease?.token).toBe(newToken);
    const checkpoints = await db.collection('checkpoints').find().toArray();
    for (const checkpoint of checkpoints) expect(checkpoint._fence).toBe(newToken);
    for (const id of targets) {
      const doc = await db.collection('accounts').findOne({ _id: id as never });
      expect(doc?._fence).toBe(newToken);
    }
    const ready = await fetch(leader.url('/ready'));
    expect(ready.status, await ready.clone().text()).toBe(200);
  }, 120_000);

  it('an API-only instance (RUN_CONSUMERS=false) serves reads and writes but never runs the consumers', async () => {
    const { database, env } = instancesOnFreshDatabase();
    // Started first, alone: a competing instance would have taken the lease at once.
    const api = await TallyInstance.start('api', { ...env, RUN_CONSUMERS: 'false' });
    instances.push(api);
    await api.waitFor((l) => String(l.msg).startsWith('API only'));
    const opened = await post(api, OPEN_ACCOUNT, {
      input: { ownerId: randomUUID(), currency: 'USD', initialDeposit: '7.00' },
    });
    expect(opened.data?.openAccount.__typename, JSON.stringify(opened)).toBe(
      'AccountCommandSuccess',
    );
    const { account, position } = opened.data.openAccount;

    const consumers = await TallyInstance.start('consumers', env);
    instances.push(consumers);
    const token = await consumers.elected();
    // Read through the API-only instance: it waits for the other instance's projector.
    const answer = await post(api, ACCOUNT, { id: account.id, consistentWith: position });
    expect(answer.data?.account.balance.amount, JSON.stringify(answer)).toBe('7.00');
    const metrics = await (await fetch(api.url('/metrics'))).text();
    expect(/^tally_leader (\d)$/m.exec(metrics)?.[1]).toBe('0');
    expect(
      api.lines.some((l) => l.msg === 'elected leader: starting the projector and the processes'),
    ).toBe(false);
    const lease = await mongo
      .db(database)
      .collection('leases')
      .findOne({ _id: 'consumers' as never });
    expect(lease?.token).toBe(token);
  }, 120_000);
});

/** The last Tally event's position in $all, for consistentWith. */
async function lastPosition(): Promise<bigint> {
  let last = 0n;
  for await (const resolved of eventStore.readAll({
    direction: 'backwards',
    fromPosition: 'end',
    maxCount: 1,
  })) {
    if (resolved.event) last = resolved.event.position.commit;
  }
  return last;
}
