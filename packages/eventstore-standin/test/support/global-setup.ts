import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startEmbeddedEventStore } from '../../src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    eventStoreUrl: string;
  }
}

/**
 * The package's own test run (`npm test` here) starts one shared in-memory store, as the
 * root run's global setup does; tests that need a store of their own start one.
 */
export default async function setup(project: TestProject) {
  const store = await startEmbeddedEventStore({ host: '127.0.0.1', port: 0 });
  project.provide('eventStoreUrl', store.url);
  return () => store.close();
}
