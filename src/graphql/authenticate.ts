import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../auth/bearer.js';
import type { Principal } from '../auth/principal.js';
import type { TokenVerifier } from '../auth/token-verifier.js';

/**
 * What yoga is handed: a fetch Request (HTTP, SSE), or for graphql-ws the upgrade request and
 * the connection's connectionParams, where a browser WebSocket carries the token.
 */
export interface ServerContext {
  request?: Request;
  req?: IncomingMessage;
  connectionParams?: Record<string, unknown> | undefined;
}

export function header(context: ServerContext, name: string): string | undefined {
  const value = context.request?.headers.get(name) ?? context.req?.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text && text.length <= 200 ? text : undefined;
}

/**
 * The principal of a request: the bearer token in the Authorization header, or over
 * graphql-ws in connectionParams.authorization. Throws AuthenticationError (HTTP 401).
 */
export function authenticate(context: ServerContext, verify: TokenVerifier): Promise<Principal> {
  const params = context.connectionParams;
  const fromSocket = params?.authorization ?? params?.Authorization;
  const fromHeader = context.request?.headers.get('authorization') ?? undefined;
  return verify(bearerToken(context.connectionParams ? fromSocket : fromHeader));
}
