import { BACKWARDS, END, type EventStoreDBClient } from '@eventstore/db-client';
import type { Db } from 'mongodb';
import type { Logger } from '../logger.js';
import type { ConsumerLag, LagMonitor } from '../metrics/consumer-lag.js';

/** How long a store may take to answer the readiness probe. */
const STORE_TIMEOUT_MS = 2000;

export interface ReadinessReport {
  ready: boolean;
  /** What is not ready, one line each; empty when ready. */
  notReady: string[];
  stores: { eventStore: 'up' | 'down'; mongo: 'up' | 'down' };
  consumers: Array<{ name: string; position: string | null; lagEvents: number; lagMs: number }>;
  maxLagMs: number;
}

/**
 * Ready when both stores answer and every consumer (projections, process manager) is within
 * `maxLagMs` of the head of $all. The report names positions and counts only, never data, and
 * a store's own error (which may carry host names) goes to the log, not the response.
 */
export async function checkReadiness(deps: {
  eventStore: EventStoreDBClient;
  db: Db;
  lag: LagMonitor;
  maxLagMs: number;
  logger: Logger;
}): Promise<ReadinessReport> {
  const [eventStore, mongo] = await Promise.all([
    answers(() => pingEventStore(deps.eventStore), 'EventStoreDB', deps.logger),
    answers(
      () => deps.db.command({ ping: 1 }, { timeoutMS: STORE_TIMEOUT_MS }),
      'MongoDB',
      deps.logger,
    ),
  ]);
  const notReady: string[] = [];
  if (!eventStore) notReady.push('EventStoreDB does not answer');
  if (!mongo) notReady.push('MongoDB does not answer');
  let consumers: ConsumerLag[] = [];
  if (eventStore && mongo) {
    try {
      consumers = await deps.lag.measure();
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness: could not measure lag');
      notReady.push('lag could not be measured');
    }
    for (const c of consumers) {
      if (c.events > 0 && c.ms > deps.maxLagMs) {
        notReady.push(`${c.name} is ${c.events} events (${c.ms} ms) behind the head`);
      }
    }
  }
  return {
    ready: notReady.length === 0,
    notReady,
    stores: { eventStore: eventStore ? 'up' : 'down', mongo: mongo ? 'up' : 'down' },
    consumers: consumers.map((c) => ({
      name: c.name,
      position: c.position < 0n ? null : String(c.position),
      lagEvents: c.events,
      lagMs: c.ms,
    })),
    maxLagMs: deps.maxLagMs,
  };
}

async function answers(probe: () => Promise<unknown>, store: string, logger: Logger) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${STORE_TIMEOUT_MS} ms`)),
          STORE_TIMEOUT_MS,
        );
      }),
    ]);
    return true;
  } catch (error) {
    logger.warn({ err: error, store }, 'readiness: store does not answer');
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** One event read backwards, to its end: the store answers reads. */
async function pingEventStore(client: EventStoreDBClient): Promise<void> {
  for await (const _ of client.readAll({
    direction: BACKWARDS,
    fromPosition: END,
    maxCount: 1,
    deadline: STORE_TIMEOUT_MS,
  })) {
    // Answering is all that is asked.
  }
}
