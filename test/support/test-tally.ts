import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { startTally, type Tally, type TallyOptions } from '../../src/app.js';
import { rootLogger } from '../../src/logger.js';

/**
 * A Tally wired to the stand-ins started by globalSetup (or to real servers), with a fresh
 * MongoDB database, so tests never see each other's read models.
 */
export async function startTestTally(overrides: Partial<TallyOptions> = {}): Promise<Tally> {
  return startTally({
    eventStoreUrl: inject('eventStoreUrl'),
    mongoUrl: inject('mongoUrl'),
    mongoDb: `test_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    logger: rootLogger,
    ...overrides,
  });
}

/**
 * A GraphQL response's data as the tests see it: JSON whose shape each test asserts, so it is
 * left untyped rather than cast at every step.
 */
// biome-ignore lint/suspicious/noExplicitAny: response JSON, checked by the assertions.
export type Json = any;

export interface GraphQLResponse<T = Record<string, Json>> {
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown>; path?: string[] }>;
}

/** Sends one GraphQL request through yoga.fetch, as a client would over HTTP. */
export async function graphql<T = Record<string, Json>>(
  tally: Tally,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await tally.yoga.fetch('http://tally.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}
