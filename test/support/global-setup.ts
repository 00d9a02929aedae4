import { startEmbeddedEventStore } from '@tally/eventstore-standin';
import { startEmbeddedMongo } from '@tally/mongo-standin';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    eventStoreUrl: string;
    mongoUrl: string;
  }
}

/**
 * Starts the embedded stand-ins once per test run, unless EVENTSTORE_URL and MONGODB_URL
 * point at real servers. Tests connect to them through the real clients.
 */
export default async function setup(project: TestProject) {
  const stops: Array<() => Promise<void>> = [];
  let eventStoreUrl = process.env.EVENTSTORE_URL;
  let mongoUrl = process.env.MONGODB_URL;
  if (!eventStoreUrl) {
    const store = await startEmbeddedEventStore({ host: '127.0.0.1', port: 0 });
    stops.push(() => store.close());
    eventStoreUrl = store.url;
  }
  if (!mongoUrl) {
    const mongo = await startEmbeddedMongo({ host: '127.0.0.1', port: 0 });
    stops.push(() => mongo.close());
    mongoUrl = mongo.url;
  }
  project.provide('eventStoreUrl', eventStoreUrl);
  project.provide('mongoUrl', mongoUrl);
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
