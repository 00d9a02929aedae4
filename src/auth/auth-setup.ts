import type { Config } from '../config.js';
import { ConfigError } from '../config.js';
import { loadOrCreateDevSecret } from './dev-secret.js';
import { type DevToken, devTokens } from './dev-tokens.js';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.js';

export interface AuthSetup {
  verifyToken: TokenVerifier;
  /** Only in development mode: one token per role, to print. */
  devTokens?: DevToken[];
}

/**
 * How tokens are verified: a shared secret, an identity provider's JWKS, or, in development
 * with neither, a random secret under DATA_DIR. Production without either refuses to start.
 */
export async function setUpAuth(config: Config): Promise<AuthSetup> {
  const claims = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE };
  if (config.AUTH_JWT_SECRET) {
    const secret = new TextEncoder().encode(config.AUTH_JWT_SECRET);
    return { verifyToken: createTokenVerifier({ secret, ...claims }) };
  }
  if (config.AUTH_JWKS_URL) {
    return {
      verifyToken: createTokenVerifier({ jwksUrl: new URL(config.AUTH_JWKS_URL), ...claims }),
    };
  }
  if (config.NODE_ENV === 'production') {
    throw new ConfigError(
      'Invalid configuration:\n  AUTH_JWT_SECRET or AUTH_JWKS_URL must be set when NODE_ENV=production',
    );
  }
  const secret = await loadOrCreateDevSecret(config.DATA_DIR);
  return { verifyToken: createTokenVerifier({ secret }), devTokens: await devTokens(secret) };
}

/** The lines development mode prints: who each token is, and the header to send. */
export function describeDevTokens(tokens: DevToken[]): string {
  const lines = tokens.map(
    ({ role, sub, token }) => `  ${role.padEnd(8)} sub=${sub}\n    Authorization: Bearer ${token}`,
  );
  return [
    'Development mode (no AUTH_JWT_SECRET or AUTH_JWKS_URL): tokens for the demo principals,',
    'valid 30 days. In GraphiQL, paste one into the Headers tab as {"Authorization": "Bearer …"}.',
    ...lines,
  ].join('\n');
}
