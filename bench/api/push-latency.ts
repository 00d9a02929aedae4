import { randomUUID } from 'node:crypto';
import { END, type EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphQLClient } from './http-client.js';
import { deposit, openAccounts } from './operations.js';

/** While `writers` loops run, `samples` probes each resolve with one latency in ms. */
async function withBackgroundLoad(
  writers: number,
  write: (writer: number) => Promise<unknown>,
  probes: () => Promise<void>,
): Promise<void> {
  let loading = true;
  const background = Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (loading) await write(writer);
    }),
  );
  try {
    await probes();
  } finally {
    loading = false;
    await background;
  }
}

/**
 * Mutation acknowledged → `balanceChanged` delivered over WebSocket, per deposit on a probe
 * account, while `writers` other writers (4 unless said) deposit to their own accounts.
 */
export async function pushLatency(
  endpoint: string,
  client: GraphQLClient,
  authorization: string,
  samples: number,
  writers = 4,
): Promise<number[] & { missed: number }> {
  const [probe] = await openAccounts(client, 1);
  const loadAccounts = await openAccounts(client, writers);
  const ws = createClient({
    url: endpoint.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization },
    retryAttempts: 0,
  });
  // A subscriber behind may be sent only the newest balance: a revision counts as delivered
  // when it or a later one arrives.
  let newest = -1;
  let newestAt = 0;
  let waiting: { revision: number; resolve: () => void } | undefined;
  const latencies: number[] = [];
  let missed = 0;
  try {
    let ready!: () => void;
    const subscribed = new Promise<void>((resolve, reject) => {
      ready = resolve;
      ws.subscribe<{ balanceChanged: { revision: number } }>(
        {
          query: `subscription ($id: ID!) { balanceChanged(accountId: $id) { revision } }`,
          variables: { id: probe },
        },
        {
          next: ({ data, errors }) => {
            if (errors) return reject(new Error(JSON.stringify(errors)));
            newest = Math.max(newest, data!.balanceChanged.revision);
            newestAt = performance.now();
            if (waiting && newest >= waiting.revision) waiting.resolve();
            ready();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    // The subscription's first message is the current balance.
    await subscribed;
    await withBackgroundLoad(
      writers,
      (writer) => deposit(client, loadAccounts[writer]!),
      async () => {
        for (let i = 0; i < samples; i++) {
          const revision = await deposit(client, probe!);
          const acknowledged = performance.now();
          if (newest < revision) {
            await new Promise<void>((resolve) => {
              // A push that never comes is counted, not waited for forever.
              const timer = setTimeout(() => {
                missed++;
                resolve();
              }, 30_000);
              waiting = {
                revision,
                resolve: () => {
                  clearTimeout(timer);
                  resolve();
                },
              };
            });
            waiting = undefined;
          }
          if (newest >= revision) latencies.push(Math.max(0, newestAt - acknowledged));
        }
      },
    );
  } finally {
    await ws.dispose();
  }
  return Object.assign(latencies, { missed });
}

/**
 * The raw store's own figure for the same path: append sent → the event delivered to a
 * subscription, while `writers` other writers (4 unless said) append to their own streams. Sent,
 * not acknowledged: the store often delivers an event before the appender has read its
 * acknowledgement.
 */
export async function rawSubscriptionDelivery(
  raw: EventStoreDBClient,
  samples: number,
  writers = 4,
): Promise<number[]> {
  const stream = `probe-${randomUUID()}`;
  await raw.appendToStream(stream, jsonEvent({ type: 'Probe', data: { i: -1 } }));
  const delivered = new Map<bigint, number>();
  const waiting = new Map<bigint, () => void>();
  const subscription = raw.subscribeToStream(stream, { fromRevision: END });
  subscription.on('data', (resolved) => {
    const revision = resolved.event!.revision;
    delivered.set(revision, performance.now());
    waiting.get(revision)?.();
  });
  await new Promise<void>((resolve) => subscription.once('confirmation', () => resolve()));
  const latencies: number[] = [];
  try {
    await withBackgroundLoad(
      writers,
      (writer) =>
        raw.appendToStream(
          `probe-load-${writer}-${randomUUID()}`,
          jsonEvent({ type: 'MoneyDeposited', data: { amount: 1 } }),
        ),
      async () => {
        for (let i = 0; i < samples; i++) {
          const sent = performance.now();
          const { nextExpectedRevision: revision } = await raw.appendToStream(
            stream,
            jsonEvent({ type: 'Probe', data: { i } }),
          );
          if (!delivered.has(revision)) {
            await new Promise<void>((resolve) => waiting.set(revision, resolve));
          }
          latencies.push(delivered.get(revision)! - sent);
        }
      },
    );
  } finally {
    await subscription.unsubscribe();
  }
  return latencies;
}
