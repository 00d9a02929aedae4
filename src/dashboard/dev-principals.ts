import type { IncomingMessage } from 'node:http';
import type { DevToken } from '../auth/dev-tokens.js';

/** A development principal the sign-in page offers to pick. */
export interface DevPrincipal {
  role: string;
  sub: string;
  authorization: string;
}

const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The printed development tokens, for the sign-in page's list, or undefined when this request
 * may not have them. They are handed out only when all of these hold:
 * - the server runs in development mode (it printed them; production never has any);
 * - the request comes from this machine (loopback peer address), so a server published on
 *   0.0.0.0 (the Docker image) never hands them to another host;
 * - the Host header names loopback, so a DNS-rebinding page (evil.example resolving to
 *   127.0.0.1) is refused even though the browser sends it from this machine;
 * - a cross-origin request is refused (Sec-Fetch-Site other than same-origin or none).
 * Anyone who passes can already read them in the terminal of `npm start`.
 */
export function devPrincipalsFor(
  request: IncomingMessage,
  tokens: readonly DevToken[] | undefined,
): DevPrincipal[] | undefined {
  if (!tokens || tokens.length === 0) return undefined;
  if (!LOOPBACK_ADDRESSES.has(request.socket.remoteAddress ?? '')) return undefined;
  const host = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  if (!LOOPBACK_HOSTS.has(host)) return undefined;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return undefined;
  return tokens.map(({ role, sub, token }) => ({ role, sub, authorization: `Bearer ${token}` }));
}
