import {
  createRemoteJWKSet,
  errors,
  type JWTPayload,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';
import { AuthenticationError } from './authentication-error.js';
import type { Principal } from './principal.js';
import { isRole, isSystemPrincipal } from './roles.js';

export type TokenVerifierOptions = (
  | { secret: Uint8Array; jwksUrl?: undefined }
  | { jwksUrl: URL; secret?: undefined }
) & { issuer?: string | undefined; audience?: string | undefined };

/** Turns a bearer token into a Principal, or throws AuthenticationError saying why not. */
export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * Verifies JWTs with jose: HS256 against a shared secret, or RS256/ES256 against an identity
 * provider's JWKS. The algorithm list is fixed, so `alg: none` and algorithm confusion (an HS256
 * token signed with a public key) are refused by jose itself.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const verifyOptions: JWTVerifyOptions = {
    algorithms: options.secret ? ['HS256'] : ['RS256', 'ES256'],
    requiredClaims: ['sub', 'exp'],
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  };
  // The HS256 secret is imported as a CryptoKey once: given raw bytes, jose imports them again
  // on every request, which cost about a tenth of Tally's CPU per request under load.
  const key = options.secret
    ? crypto.subtle.importKey(
        'raw',
        new Uint8Array(options.secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['verify'],
      )
    : createRemoteJWKSet(options.jwksUrl);
  // A token verified once stands until it expires: the same string is the same signature.
  // Clients send one token with every request, and verifying it again (an HMAC through
  // WebCrypto) was the largest single cost of a request. Bounded: the oldest entry goes first.
  const verified = new Map<string, Principal>();
  return async (token) => {
    const known = verified.get(token);
    if (known && (known.expiresAt ?? 0) * 1000 > Date.now()) return known;
    if (known) verified.delete(token);
    const principal = await verify(token);
    if (verified.size >= VERIFIED_TOKENS_KEPT) {
      verified.delete(verified.keys().next().value as string);
    }
    verified.set(token, principal);
    return principal;
  };

  async function verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (await key) as CryptoKey, verifyOptions));
    } catch (error) {
      throw new AuthenticationError(reasonFor(error));
    }
    return principalOf(payload);
  }
}

/** Verified tokens remembered per verifier (a principal is a few hundred bytes). */
export const VERIFIED_TOKENS_KEPT = 10_000;

function principalOf(payload: JWTPayload): Principal {
  const { sub } = payload;
  if (typeof sub !== 'string' || sub.trim() === '' || sub.length > 200) {
    throw new AuthenticationError('the token has no usable "sub" claim');
  }
  if (isSystemPrincipal(sub)) {
    throw new AuthenticationError(`"${sub}" is a system principal, which no token may claim`);
  }
  const claimed = payload.roles;
  if (claimed !== undefined && !Array.isArray(claimed)) {
    throw new AuthenticationError('the "roles" claim must be an array');
  }
  return {
    sub,
    // Roles Tally does not know grant nothing; they are not an error, so one token can serve
    // several applications.
    roles: (claimed ?? []).filter(isRole),
    expiresAt: payload.exp,
  };
}

function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `the token's "${error.claim}" claim is not accepted (${error.reason})`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return 'the token signature does not verify';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token algorithm is not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the identity provider matches';
  if (error instanceof errors.JWKSTimeout) return 'the identity provider did not answer in time';
  if (error instanceof errors.JOSEError) return 'the token is malformed';
  return 'the token could not be verified';
}
