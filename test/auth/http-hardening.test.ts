import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { ACCOUNT, DEPOSIT, OPEN_ACCOUNT } from '../support/operations.js';
import { graphql, startTestTally } from '../support/test-tally.js';
import { authorizationFor, signTestToken, testApiOptions } from '../support/tokens.js';

let tally: Tally;
let production: Tally;
let limited: Tally;
beforeAll(async () => {
  limited = await startTestTally({
    api: testApiOptions({ mutationRateLimit: { max: 2, window: '1m' } }),
  });
  tally = await startTestTally({
    api: testApiOptions({ corsOrigins: ['https://app.tally.test'] }),
  });
  production = await startTestTally({ api: testApiOptions({ exposeSchema: false }) });
});
afterAll(async () => {
  await tally?.close();
  await production?.close();
  await limited?.close();
});

const URL = 'http://tally.test/graphql';

describe('authentication at the edge', () => {
  it('answers 401 UNAUTHENTICATED without a token, with a bad one, and with an expired one', async () => {
    const expired = await signTestToken({
      sub: 'someone',
      roles: ['admin'],
      expiresIn: Math.floor(Date.now() / 1000) - 1,
    });
    for (const token of [null, 'Bearer nonsense', `Bearer ${expired}`, 'Basic dXNlcjpwdw==']) {
      const result = await graphql(tally, '{ __typename }', {}, { token });
      expect(result.status, String(token)).toBe(401);
      expect(result.errors?.[0]?.extensions?.code, String(token)).toBe('UNAUTHENTICATED');
      expect(result.data).toBeUndefined();
    }
  });

  it('no longer lets a caller name itself with X-Actor', async () => {
    const result = await graphql(
      tally,
      '{ __typename }',
      {},
      { token: null, headers: { 'x-actor': 'system:transfer-process-manager' } },
    );
    expect(result.status).toBe(401);
  });
});

describe('cross-origin requests', () => {
  it('grants a listed origin and gives an unlisted one no CORS grant', async () => {
    const preflight = (origin: string) =>
      tally.yoga.fetch(URL, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
    const listed = await preflight('https://app.tally.test');
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.tally.test');
    expect(listed.headers.get('access-control-allow-credentials')).toBeNull();
    const unlisted = await preflight('https://evil.test');
    expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();
    expect(unlisted.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses a request body over 1 MiB, with or without a Content-Length, and nothing runs', async () => {
    const authorization = await authorizationFor('admin');
    const opened = await graphql(tally, OPEN_ACCOUNT, {
      input: { ownerId: randomUUID(), currency: 'USD' },
    });
    const accountId = opened.data!.openAccount.account.id;
    // A deposit padded past the limit with a long description.
    const body = JSON.stringify({
      query: DEPOSIT,
      variables: { input: { accountId, amount: '1.00', description: 'x'.repeat(1024 * 1024) } },
    });
    const declared = await tally.yoga.fetch(URL, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        authorization,
      },
      body,
    });
    expect(declared.status).toBe(413);
    expect((await declared.json()).errors[0].extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    const streamed = await tally.yoga.fetch(URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body));
          controller.close();
        },
      }),
      // A streamed body needs duplex in Node's fetch; the DOM types lack it.
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const bad = await tally.yoga.fetch(URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '1, 2', authorization },
      body: '{}',
    });
    expect(bad.status).toBe(400);
    // Nothing was deposited: the next deposit is the account's first.
    const next = await graphql(tally, DEPOSIT, { input: { accountId, amount: '1.00' } });
    expect(next.data!.depositMoney.account.balance.amount).toBe('1.00');
  });

  it('refuses a form-encoded or multipart mutation, and tells a text/plain client what to send', async () => {
    const authorization = await authorizationFor('admin');
    const form = await tally.yoga.fetch(URL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      body: new URLSearchParams({ query: DEPOSIT }).toString(),
    });
    expect(form.status).toBe(415);
    const multipart = new FormData();
    multipart.set('operations', JSON.stringify({ query: DEPOSIT }));
    expect(
      (await tally.yoga.fetch(URL, { method: 'POST', headers: { authorization }, body: multipart }))
        .status,
    ).toBe(415);
    const text = await tally.yoga.fetch(URL, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(text.status).toBe(415);
    expect(await text.text()).toMatch(/Content-Type: application\/json/);
  });

  it('refuses a GET query without a header a cross-site page cannot send', async () => {
    const response = await tally.yoga.fetch(`${URL}?query=${encodeURIComponent('{ __typename }')}`);
    expect(response.status).toBe(403);
  });
});

describe('rate limits', () => {
  it('refuse a principal past its mutation limit with a retryable RATE_LIMITED, writing nothing', async () => {
    const opened = await graphql(limited, OPEN_ACCOUNT, {
      input: { ownerId: randomUUID(), currency: 'USD' },
    });
    const accountId = opened.data?.openAccount.account.id;
    const deposit = () =>
      graphql(limited, DEPOSIT, { input: { accountId, amount: '1' } }, { as: 'teller' });
    expect((await deposit()).data?.depositMoney.__typename).toBe('AccountCommandSuccess');
    expect((await deposit()).data?.depositMoney.__typename).toBe('AccountCommandSuccess');
    const refused = await deposit();
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
    });
    const read = await graphql(limited, ACCOUNT, { id: accountId }, { as: 'teller' });
    expect(read.data?.account.revision ?? 0).toBeLessThanOrEqual(2);
    let events = 0;
    for await (const _ of limited.eventStore.readStream(`account-${accountId}`)) events++;
    expect(events).toBe(3);
    // Another principal has its own allowance.
    const other = await graphql(
      limited,
      DEPOSIT,
      { input: { accountId, amount: '1' } },
      { as: { role: 'teller', sub: 'teller-2' } },
    );
    expect(other.data?.depositMoney.__typename).toBe('AccountCommandSuccess');
  });
});

describe('production mode', () => {
  it('serves no GraphiQL and refuses introspection and field suggestions', async () => {
    const page = await production.yoga.fetch(URL, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('GraphiQL');
    const introspection = await graphql(production, '{ __schema { types { name } } }');
    expect(introspection.data).toBeUndefined();
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await graphql(production, '{ acount(id: "x") { id } }');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const served = await tally.yoga.fetch(URL, { headers: { accept: 'text/html' } });
    expect(await served.text()).toContain('GraphiQL');
  });
});

describe('error codes', () => {
  it('names the rule and the field of a malformed Decimal variable', async () => {
    const result = await graphql(tally, DEPOSIT, { input: { accountId: 'x', amount: '-5' } });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.amount',
    });
    expect(result.errors?.[0]?.message).toMatch(/positive decimal string/);
  });

  it('labels a document past the armor limits QUERY_TOO_COMPLEX, not a syntax error', async () => {
    const aliases = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: transfer(id: "x") { id }`).join(' ')} }`;
    const result = await graphql(tally, aliases);
    expect(result.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.errors?.[0]?.message).not.toMatch(/Syntax Error/);
    const tokens = `{ ${'__typename '.repeat(2100)} }`;
    const long = await graphql(tally, tokens);
    expect(long.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });
});
