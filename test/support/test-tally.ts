import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { startTally, type Tally, type TallyOptions } from '../../src/app.js';
import { rootLogger } from '../../src/logger.js';
import { authorizationFor, DEFAULT_WHO, testApiOptions, type Who } from './tokens.js';

export type { Who } from './tokens.js';

/**
 * A Tally wired to the stand-ins started by globalSetup (or to real servers), with a fresh
 * MongoDB database, so tests never see each other's read models. Its API verifies tokens
 * signed with the test secret (see tokens.ts).
 */
export async function startTestTally(overrides: Partial<TallyOptions> = {}): Promise<Tally> {
  return startTally({
    eventStoreUrl: inject('eventStoreUrl'),
    mongoUrl: inject('mongoUrl'),
    mongoDb: `test_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    logger: rootLogger,
    api: testApiOptions(),
    // `npm run test:projector-thread` runs the whole suite with the projector on its own thread.
    ...(process.env.TEST_PROJECTOR_THREAD === '1' ? { projectorThread: true } : {}),
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
  /** The HTTP status of the response. */
  status?: number;
}

/**
 * Who sends a request. `as` signs a token for a role (and sub); `token` sends that exact
 * Authorization value, or none at all when null. By default requests run as an admin.
 */
export interface RequestOptions {
  as?: Who;
  token?: string | null;
  headers?: Record<string, string>;
}

function isRequestOptions(value: object): value is RequestOptions {
  return 'as' in value || 'token' in value || 'headers' in value;
}

/** The headers of a request: JSON, plus the Authorization the options ask for. */
export async function requestHeaders(
  options: RequestOptions | Record<string, string> = {},
): Promise<Record<string, string>> {
  const { as, token, headers } = isRequestOptions(options)
    ? options
    : { as: undefined, token: undefined, headers: options };
  const authorization =
    token === null ? undefined : (token ?? (await authorizationFor(as ?? DEFAULT_WHO)));
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    ...(authorization ? { authorization } : {}),
    ...headers,
  };
}

/**
 * Sends one GraphQL request through yoga.fetch, as a client would over HTTP. The fourth
 * argument is either extra headers (as before) or { as, token, headers }.
 */
export async function graphql<T = Record<string, Json>>(
  tally: Tally,
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions | Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await tally.yoga.fetch('http://tally.test/graphql', {
    method: 'POST',
    headers: await requestHeaders(options),
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<T>;
  Object.defineProperty(body, 'status', { value: response.status, enumerable: false });
  return body;
}
