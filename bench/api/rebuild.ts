import { randomUUID } from 'node:crypto';
import { type EventData, type EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { type AnyBulkWriteOperation, type Collection, MongoClient } from 'mongodb';
import { rootLogger } from '../../src/logger.js';
import { readModelProjections } from '../../src/read/projections/index.js';
import { createProjector } from '../../src/read/projector.js';
import { ensureIndexes, readModels } from '../../src/read/read-models.js';
import { toRecordedEvent } from '../../src/read/recorded-event.js';
import { fmt } from './measure.js';

/** Appends `events` deposits, then times a fresh projector from position 0 against a raw bulkWrite. */
export async function benchRebuild(
  raw: EventStoreDBClient,
  mongoUrl: string,
  events: number,
): Promise<string[]> {
  const accounts = 1000;
  const perAccount = Math.ceil(events / accounts);
  for (let a = 0; a < accounts; a++) {
    const accountId = randomUUID();
    const events: EventData[] = [
      jsonEvent({
        type: 'AccountOpened',
        data: { accountId, ownerId: accountId, currency: 'USD' },
      }),
    ];
    for (let i = 1; i < perAccount; i++) {
      events.push(
        jsonEvent({
          type: 'MoneyDeposited',
          data: { accountId, amount: 100, currency: 'USD', balanceAfter: 100 * i },
        }),
      );
    }
    await raw.appendToStream(`account-${accountId}`, events);
  }
  const mongo = new MongoClient(mongoUrl);
  await mongo.connect();
  try {
    const models = readModels(mongo.db(`rebuild_${randomUUID().slice(0, 8)}`));
    await ensureIndexes(models);
    const projector = createProjector(raw, models, rootLogger);
    let started = performance.now();
    await projector.start();
    let last = 0n;
    for await (const resolved of raw.readAll({
      direction: 'backwards',
      fromPosition: 'end',
      maxCount: 1,
    })) {
      last = resolved.event?.position.commit ?? last;
    }
    await projector.progress.waitFor(last, 600_000);
    const rebuildSeconds = (performance.now() - started) / 1000;
    await projector.stop();
    let total = 0;
    for await (const resolved of raw.readAll({ fromPosition: 'start' })) {
      if (
        resolved.event?.streamId.startsWith('account-') ||
        resolved.event?.streamId.startsWith('transfer-')
      )
        total++;
    }

    // Baseline: the same write operations, built up front, sent as raw bulkWrites of 500.
    const target = readModels(mongo.db(`raw_${randomUUID().slice(0, 8)}`));
    await ensureIndexes(target);
    const operations = new Map<string, AnyBulkWriteOperation[]>();
    for await (const resolved of raw.readAll({ fromPosition: 'start' })) {
      const event = resolved.event;
      if (
        !event?.isJson ||
        !(event.streamId.startsWith('account-') || event.streamId.startsWith('transfer-'))
      )
        continue;
      const recorded = toRecordedEvent(event as never);
      for (const projection of readModelProjections) {
        const list = operations.get(projection.name) ?? [];
        list.push(...projection.project(recorded));
        operations.set(projection.name, list);
      }
    }
    started = performance.now();
    for (const [name, list] of operations) {
      for (let i = 0; i < list.length; i += 500) {
        const collection = target[name as 'accounts'] as unknown as Collection;
        await collection.bulkWrite(list.slice(i, i + 500), { ordered: true });
      }
    }
    const rawSeconds = (performance.now() - started) / 1000;
    return [
      `projector rebuild from position 0 (${fmt(total)} events)`,
      `${fmt(total / rebuildSeconds)} events/s`,
      `raw bulkWrite of the same writes ${fmt(total / rawSeconds)} events/s`,
      `ratio ${fmt(rawSeconds / rebuildSeconds, 2)}`,
    ];
  } finally {
    await mongo.close();
  }
}
