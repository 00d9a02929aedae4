import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { DevToken } from '../../src/auth/dev-tokens.js';
import { devPrincipalsFor } from '../../src/dashboard/dev-principals.js';

const TOKENS: DevToken[] = [{ role: 'admin', sub: 'dev-admin', token: 'eyJ.admin.sig' }];

function request(
  remoteAddress: string,
  headers: Record<string, string> = { host: '127.0.0.1:4000' },
): IncomingMessage {
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

describe("the sign-in page's development principals", () => {
  it('are handed to a same-origin page on loopback in development', () => {
    for (const [address, host] of [
      ['127.0.0.1', '127.0.0.1:4000'],
      ['::1', 'localhost:4000'],
      ['::ffff:127.0.0.1', '[::1]:4000'],
    ] as const) {
      expect(
        devPrincipalsFor(request(address, { host, 'sec-fetch-site': 'same-origin' }), TOKENS),
      ).toEqual([{ role: 'admin', sub: 'dev-admin', authorization: 'Bearer eyJ.admin.sig' }]);
    }
  });

  it('are never handed out in production, to another host, to a rebound name or cross-site', () => {
    expect(devPrincipalsFor(request('127.0.0.1'), undefined)).toBeUndefined();
    // Published on 0.0.0.0 (the Docker image): another machine, or the Docker gateway.
    expect(devPrincipalsFor(request('172.17.0.1'), TOKENS)).toBeUndefined();
    expect(devPrincipalsFor(request('192.168.1.20'), TOKENS)).toBeUndefined();
    // DNS rebinding: a hostile name resolving to 127.0.0.1 reaches loopback with its own Host.
    expect(
      devPrincipalsFor(request('127.0.0.1', { host: 'evil.example:4000' }), TOKENS),
    ).toBeUndefined();
    // Another site's page asking this server from the user's browser.
    expect(
      devPrincipalsFor(
        request('127.0.0.1', { host: 'localhost:4000', 'sec-fetch-site': 'cross-site' }),
        TOKENS,
      ),
    ).toBeUndefined();
  });
});
