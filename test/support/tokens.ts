import type { Role } from '../../src/auth/roles.js';
import { signToken } from '../../src/auth/sign-token.js';
import { createTokenVerifier } from '../../src/auth/token-verifier.js';
import type { ApiOptions } from '../../src/graphql/yoga.js';

/** The HS256 secret every test Tally verifies with (at least 32 bytes, as in production). */
export const TEST_JWT_SECRET = 'tally-tests-shared-secret-0123456789abcdef';
const secret = new TextEncoder().encode(TEST_JWT_SECRET);

/** Who a test request is: a role and a sub, or just a role (sub `test-<role>`). */
export type Who = Role | { role?: Role; roles?: Role[]; sub: string };

/** The principal requests run as unless a test says otherwise: it may do everything. */
export const DEFAULT_WHO: Who = 'admin';

const cache = new Map<string, Promise<string>>();

/** A signed bearer token for a test principal, valid an hour (cached per principal). */
export function tokenFor(who: Who = DEFAULT_WHO): Promise<string> {
  const { sub, roles } =
    typeof who === 'string'
      ? { sub: `test-${who}`, roles: [who] }
      : { sub: who.sub, roles: who.roles ?? (who.role ? [who.role] : []) };
  const key = `${sub}|${roles.join(',')}`;
  let token = cache.get(key);
  if (!token) {
    token = signToken(secret, { sub, roles, expiresIn: '1h' });
    cache.set(key, token);
  }
  return token;
}

/** A token signed with the test secret but with claims a test chooses (expired, no sub, ...). */
export function signTestToken(claims: Parameters<typeof signToken>[1]): Promise<string> {
  return signToken(secret, claims);
}

export async function authorizationFor(who: Who = DEFAULT_WHO): Promise<string> {
  return `Bearer ${await tokenFor(who)}`;
}

/** The API options of a test Tally: verified with the test secret, generous rate limits. */
export function testApiOptions(overrides: Partial<ApiOptions> = {}): ApiOptions {
  return {
    verifyToken: createTokenVerifier({ secret }),
    exposeSchema: true,
    corsOrigins: [],
    mutationRateLimit: { max: 100_000, window: '1m' },
    ...overrides,
  };
}
