import { once } from 'node:events';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../src/auth/authentication-error.js';
import { signToken } from '../../src/auth/sign-token.js';
import { createTokenVerifier } from '../../src/auth/token-verifier.js';

const secret = new TextEncoder().encode('a-secret-of-at-least-thirty-two-bytes!!');
const verify = createTokenVerifier({ secret, issuer: 'https://id.tally.test', audience: 'tally' });
const claims = {
  sub: 'alice',
  roles: ['customer' as const],
  issuer: 'https://id.tally.test',
  audience: 'tally',
};

async function refusal(token: string, check = verify): Promise<string> {
  try {
    await check(token);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).extensions.code).toBe('UNAUTHENTICATED');
    return (error as Error).message;
  }
  throw new Error('the token was accepted');
}

describe('bearer tokens', () => {
  it('accept a signed token: sub is the principal, known roles are kept', async () => {
    const token = await signToken(secret, { ...claims, roles: ['teller', 'admin'] });
    const principal = await verify(token);
    expect(principal).toMatchObject({ sub: 'alice', roles: ['teller', 'admin'] });
    expect(principal.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it('refuse an expired token', async () => {
    const token = await signToken(secret, {
      ...claims,
      expiresIn: Math.floor(Date.now() / 1000) - 60,
    });
    expect(await refusal(token)).toMatch(/expired/);
  });

  it('refuse a token signed with another secret', async () => {
    const other = new TextEncoder().encode('another-secret-of-at-least-thirty-two-bytes');
    expect(await refusal(await signToken(other, claims))).toMatch(/signature/);
  });

  it('refuse a token from another issuer or for another audience', async () => {
    expect(
      await refusal(await signToken(secret, { ...claims, issuer: 'https://evil.test' })),
    ).toMatch(/"iss"/);
    expect(await refusal(await signToken(secret, { ...claims, audience: 'other' }))).toMatch(
      /"aud"/,
    );
  });

  it('refuse alg none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({
        sub: 'mallory',
        roles: ['admin'],
        iss: claims.issuer,
        aud: 'tally',
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
    ).toString('base64url');
    expect(await refusal(`${header}.${payload}.`)).toMatch(/Unauthenticated/);
  });

  it('refuse a token without sub, and one naming a system principal', async () => {
    const noSub = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(claims.issuer)
      .setAudience('tally')
      .setExpirationTime('1h')
      .sign(secret);
    expect(await refusal(noSub)).toMatch(/"sub"/);
    const system = await signToken(secret, { ...claims, sub: 'system:transfer-process-manager' });
    expect(await refusal(system)).toMatch(/system principal/);
  });

  it('refuse garbage', async () => {
    expect(await refusal('not.a.token')).toMatch(/Unauthenticated/);
  });
});

describe('tokens of a real identity provider (AUTH_JWKS_URL)', () => {
  const jwks = createServer();
  afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

  it('verifies RS256 tokens against the provider JWKS, and refuses an HS256 token', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks.on('request', (_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    jwks.listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    const { port } = jwks.address() as { port: number };
    const fromProvider = createTokenVerifier({ jwksUrl: new URL(`http://127.0.0.1:${port}/jwks`) });

    const token = await new SignJWT({ roles: ['auditor'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('auditor@bank')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(await fromProvider(token)).toMatchObject({ sub: 'auditor@bank', roles: ['auditor'] });
    // An HS256 token is refused outright, whatever secret signed it.
    expect(await refusal(await signToken(secret, claims), fromProvider)).toMatch(/algorithm/);
  });
});
