import { Agent, request } from 'node:http';

/**
 * A lean GraphQL-over-HTTP client: node:http with one kept-alive socket per concurrent caller,
 * a body serialised once per call and no fetch/WHATWG streams layer, so the load generator
 * costs a fraction of the server it measures (the benchmark prints its CPU per request).
 */
export function graphqlClient(endpoint: string, authorization: string, sockets: number) {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  const headers = { 'content-type': 'application/json', authorization };
  // biome-ignore lint/suspicious/noExplicitAny: responses are read by the caller's own shape.
  type Data = any;
  const post = (query: string, variables: Record<string, unknown> = {}) =>
    new Promise<Data>((resolve, reject) => {
      const body = JSON.stringify({ query, variables });
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            try {
              const parsed = JSON.parse(text) as { data?: Data; errors?: unknown };
              if (!parsed.data || parsed.errors) reject(new Error(text.slice(0, 500)));
              else resolve(parsed.data);
            } catch {
              reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

export type GraphQLClient = ReturnType<typeof graphqlClient>;
