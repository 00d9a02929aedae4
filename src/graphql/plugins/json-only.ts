import { createGraphQLError, type Plugin } from 'graphql-yoga';

const WHAT_TO_SEND =
  'Send GraphQL requests as POST with "Content-Type: application/json" and a body of ' +
  '{"query": "...", "variables": {...}} (queries may also be GET with a query string).';

/**
 * Only JSON bodies are GraphQL requests. A browser may POST form-encoded, multipart or text/plain
 * bodies across origins without a preflight, so those are refused before anything is parsed:
 * no cross-site form can run a mutation. The refusal says what to send instead.
 */
export function useJsonRequestsOnly(): Plugin {
  return {
    onRequestParse({ request }) {
      if (request.method !== 'POST') return;
      const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
      if (type === 'application/json') return;
      throw createGraphQLError(`Unsupported Content-Type ${type ?? '(none)'}. ${WHAT_TO_SEND}`, {
        extensions: { code: 'BAD_REQUEST', http: { status: 415 } },
      });
    },
  };
}
