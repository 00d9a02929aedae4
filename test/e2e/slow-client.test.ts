import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, inject, it, vi } from 'vitest';
import { freePort, startServerProcess } from '../support/server-process.js';
import type { Json } from '../support/test-tally.js';
import { authorizationFor, TEST_JWT_SECRET } from '../support/tokens.js';

// Real server processes on a busy two-core machine: more time than the suite's default.
vi.setConfig({ testTimeout: 180_000 });

const ACTIVITY = `subscription ($id: ID!, $after: Int) { accountActivity(accountId: $id, afterRevision: $after) { revision description } }`;
const BALANCE = `subscription ($id: ID!) { balanceChanged(accountId: $id) { revision } }`;

/** The `data:` payloads of an SSE text, in order. */
function ssePayloads(text: string): Json[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice(5)) as Json);
}

/** The content of an HTTP/1.1 chunked body received so far (a partial last chunk included). */
function dechunk(body: string): string {
  let content = '';
  for (let at = 0; at < body.length; ) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.slice(at, lineEnd), 16);
    if (!size) break;
    content += body.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
  return content;
}

/**
 * An SSE subscription read continuously over real HTTP, as a dashboard would; `until` resolves
 * once a payload satisfies it.
 */
function readingSubscriber(port: number, authorization: string, query: string, variables: Json) {
  const payloads: Json[] = [];
  const abort = new AbortController();
  let waiter: { test: (p: Json) => boolean; resolve: () => void } | undefined;
  const done = (async () => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      const end = buffer.lastIndexOf('\n\n');
      if (end < 0) continue;
      for (const payload of ssePayloads(buffer.slice(0, end))) {
        payloads.push(payload);
        if (waiter?.test(payload)) waiter.resolve();
      }
      buffer = buffer.slice(end + 2);
    }
  })().catch(() => undefined);
  return {
    payloads,
    until(test: (payload: Json) => boolean): Promise<void> {
      if (payloads.some(test)) return Promise.resolve();
      return new Promise((resolve) => {
        waiter = { test, resolve };
      });
    },
    async close() {
      abort.abort();
      await done;
    },
  };
}

describe('a slow client, through the real server process', () => {
  it('only hurts itself: others miss nothing, and it resumes with afterRevision with no gap', async () => {
    const port = await freePort();
    const authorization = await authorizationFor('admin');
    const server = await startServerProcess({
      PORT: String(port),
      EVENTSTORE_URL: inject('eventStoreUrl'),
      MONGODB_URL: inject('mongoUrl'),
      MONGODB_DB: `test_slow_${randomUUID().slice(0, 8)}`,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      RATE_LIMIT_MUTATIONS: '1000000',
      LIVE_MAX_PENDING: '20',
    });
    const mutate = async (query: string, input: Json) => {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query, variables: { input } }),
      });
      return ((await response.json()) as { data: Json }).data;
    };
    const open = async () =>
      (
        await mutate(
          `mutation ($input: OpenAccountInput!) { openAccount(input: $input) { ... on AccountCommandSuccess { account { id } } } }`,
          { ownerId: randomUUID(), currency: 'USD' },
        )
      ).openAccount.account.id as string;
    const deposit = async (accountId: string, description: string) =>
      (
        await mutate(
          `mutation ($input: DepositMoneyInput!) { depositMoney(input: $input) { ... on AccountCommandSuccess { account { revision } } } }`,
          { accountId, amount: '1.00', description },
        )
      ).depositMoney.account.revision as number;

    try {
      const slowAccount = await open();
      const watchedAccount = await open();

      // The slow client: a raw socket that sends its subscription and then stops reading.
      const body = JSON.stringify({ query: ACTIVITY, variables: { id: slowAccount } });
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
          `Accept: text/event-stream\r\nAuthorization: ${authorization}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      socket.pause();
      const watcher = readingSubscriber(port, authorization, BALANCE, { id: watchedAccount });
      await watcher.until(() => true);

      // Enough traffic for the slow client to fill the socket buffers and then its queue.
      const description = 'x'.repeat(500);
      let slowRevision = 0;
      let watchedRevision = 0;
      for (let i = 0; i < 500; i++) {
        slowRevision = await deposit(slowAccount, description);
        if (i % 10 === 0) watchedRevision = await deposit(watchedAccount, 'watched');
      }

      // The dashboard saw every state of its account, in order, with no gap.
      await watcher.until((p) => p.data?.balanceChanged?.revision === watchedRevision);
      const seen = watcher.payloads.map((p) => p.data.balanceChanged.revision as number);
      expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => seen[0]! + i));
      expect(seen.at(-1)).toBe(watchedRevision);
      await watcher.close();

      // The slow client, reading at last: either everything (the socket buffers held it all) or
      // what was queued, then the error saying where to resume. Never a gap.
      let text = '';
      // The body as SSE text (HTTP/1.1 chunked encoding undone), up to the last whole event.
      const received = () => {
        const sse = dechunk(text.slice(text.indexOf('\r\n\r\n') + 4));
        return ssePayloads(sse.slice(0, sse.lastIndexOf('\n\n') + 1));
      };
      const revisionsOf = (payloads: Json[]) =>
        payloads
          .map((p) => p.data?.accountActivity?.revision)
          .filter((r): r is number => typeof r === 'number');
      await new Promise<void>((resolve) => {
        socket.on('data', (chunk) => {
          text += String(chunk);
          if (
            text.includes('SUBSCRIBER_TOO_SLOW') ||
            revisionsOf(received()).at(-1) === slowRevision
          ) {
            resolve();
          }
        });
        socket.on('close', () => resolve());
        socket.resume();
      });
      socket.destroy();
      const payloads = received();
      const revisions = revisionsOf(payloads);
      expect(revisions).toEqual(
        Array.from({ length: revisions.length }, (_, i) => revisions[0]! + i),
      );
      const dropped = payloads.find((p) => p.errors)?.errors[0];
      if (!dropped) {
        expect(revisions.at(-1)).toBe(slowRevision);
        return;
      }
      expect(dropped.extensions.code).toBe('SUBSCRIBER_TOO_SLOW');
      const resumeAfter = dropped.extensions.afterRevision as number;
      expect(revisions.at(-1) ?? 0).toBe(resumeAfter);

      // Resuming with afterRevision delivers the rest: no gap, no duplicate.
      const resumed = readingSubscriber(port, authorization, ACTIVITY, {
        id: slowAccount,
        after: resumeAfter,
      });
      await resumed.until((p) => p.data?.accountActivity?.revision === slowRevision);
      const rest = resumed.payloads.map((p) => p.data.accountActivity.revision as number);
      expect(rest).toEqual(
        Array.from({ length: slowRevision - resumeAfter }, (_, i) => resumeAfter + 1 + i),
      );
      await resumed.close();
    } finally {
      await server.stop();
    }
  });
});
