import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DevToken } from '../auth/dev-tokens.js';
import { dashboardScript } from './bundle.js';
import { devPrincipalsFor } from './dev-principals.js';

export interface DashboardOptions {
  /** Development mode's printed tokens, offered on loopback only (see dev-principals.ts). */
  devTokens?: readonly DevToken[] | undefined;
}

const asset = (name: string) => new URL(`./client/${name}`, import.meta.url);

/**
 * Serves /dashboard: the page, its stylesheet, its bundled script, and in development the
 * printed principals. The page talks to /graphql like any client, with the token it is given.
 * Returns false for any other path, so the caller passes the request on to GraphQL.
 */
export function createDashboardHandler(options: DashboardOptions = {}) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    const path = new URL(request.url ?? '/', 'http://tally').pathname;
    if (path !== '/dashboard' && !path.startsWith('/dashboard/')) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain', 'Method not allowed', { allow: 'GET, HEAD' });
      return true;
    }
    void serve(path, request, response, options).catch((error: unknown) => {
      send(response, 500, 'text/plain', `The dashboard could not be served: ${String(error)}`);
    });
    return true;
  };
}

async function serve(
  path: string,
  request: IncomingMessage,
  response: ServerResponse,
  options: DashboardOptions,
): Promise<void> {
  switch (path) {
    case '/dashboard':
    case '/dashboard/':
      return send(response, 200, 'text/html; charset=utf-8', await readFile(asset('index.html')));
    case '/dashboard/dashboard.css':
      return send(response, 200, 'text/css; charset=utf-8', await readFile(asset('dashboard.css')));
    case '/dashboard/dashboard.js':
      return send(response, 200, 'text/javascript; charset=utf-8', await dashboardScript());
    case '/dashboard/dev-principals': {
      const principals = devPrincipalsFor(request, options.devTokens);
      return principals
        ? send(response, 200, 'application/json', JSON.stringify(principals))
        : send(response, 404, 'application/json', '[]');
    }
    default:
      return send(response, 404, 'text/plain', 'Not found');
  }
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) return void response.end();
  response.writeHead(status, {
    'content-type': type,
    // Tokens and live data: nothing here may be kept by a shared cache.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy':
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    ...headers,
  });
  response.end(body);
}
