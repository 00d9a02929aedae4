import type { Tally } from '../../src/app.js';
import { type Json, type RequestOptions, requestHeaders } from './test-tally.js';

/**
 * A GraphQL subscription over SSE through yoga.fetch, read event by event as a browser's
 * EventSource would. next() resolves with each payload; close() hangs up. By default it
 * subscribes as an admin; `options.as` names another principal.
 */
export function subscribeOverSse<T = Json>(
  tally: Tally,
  query: string,
  variables: Record<string, unknown>,
  options: RequestOptions = {},
) {
  const abort = new AbortController();
  const responsePromise = requestHeaders(options).then((headers) =>
    tally.yoga.fetch('http://tally.test/graphql', {
      method: 'POST',
      headers: { ...headers, accept: 'text/event-stream' },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    }),
  );
  // A subscriber that never reads still hangs up with close(): its aborted request must not
  // surface as an unhandled rejection (next() still sees the failure when it is called).
  responsePromise.catch(() => undefined);
  const decoder = new TextDecoder();
  let buffer = '';
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const queue: T[] = [];

  async function next(): Promise<T> {
    reader ??= (await responsePromise).body!.getReader();
    for (;;) {
      const queued = queue.shift();
      if (queued !== undefined) return queued;
      const { value, done } = await reader.read();
      if (done) throw new Error('subscription ended');
      buffer += decoder.decode(value, { stream: true });
      let boundary = buffer.indexOf('\n\n');
      while (boundary >= 0) {
        const message = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const data = message
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        if (data) queue.push(JSON.parse(data) as T);
        boundary = buffer.indexOf('\n\n');
      }
    }
  }

  return {
    next,
    async take(count: number): Promise<T[]> {
      const items: T[] = [];
      while (items.length < count) items.push(await next());
      return items;
    },
    /** Hangs up: cancels the body stream (the server sees the client go) and the request. */
    close() {
      void reader?.cancel().catch(() => undefined);
      abort.abort();
    },
  };
}
