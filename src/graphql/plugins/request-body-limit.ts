import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** A GraphQL request to Tally is a few kilobytes; one megabyte is abuse, not a query. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

const tooLarge = (limit: number) =>
  createGraphQLError(`Request body too large: at most ${limit} bytes`, {
    extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: 413 } },
  });

/**
 * Refuses request bodies over `limit` bytes (413 REQUEST_ENTITY_TOO_LARGE), in place of yoga's
 * own limit (`maxRequestBodySize: false`). Yoga's piped every body through a TransformStream to
 * count it, which cost an AbortController, a DOMException and a stream pipeline per request
 * (~3% of Tally's CPU under load). With a Content-Length, Node's HTTP parser never delivers more
 * than that many bytes, so checking the header is enough; only a body without one (chunked) is
 * counted as it streams.
 */
export function useRequestBodyLimit(limit = MAX_REQUEST_BODY_BYTES): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!/^\d+$/.test(length)) {
          throw createGraphQLError('Content-Length header is invalid.', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
        if (Number(length) > limit) throw tooLarge(limit);
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((req) => {
        let read = 0;
        // A native body needs the native TransformStream; a ponyfilled one, the ponyfill's
        // (as yoga's own limit does, graphql-yoga#4583).
        const Transform =
          req.body instanceof ReadableStream
            ? globalThis.TransformStream
            : fetchAPI.TransformStream;
        const counted = req.body!.pipeThrough(
          new Transform<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              read += chunk.byteLength;
              if (read > limit) controller.error(tooLarge(limit));
              else controller.enqueue(chunk);
            },
          }),
        );
        return parse(
          new fetchAPI.Request(req.url, {
            method: req.method,
            headers: req.headers,
            signal: req.signal,
            body: counted,
            // @ts-expect-error Node's fetch needs duplex for a streamed body; the DOM types lack it
            duplex: 'half',
          }),
        );
      });
    },
  };
}
