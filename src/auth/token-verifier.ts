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
  const key = options.secret ?? createRemoteJWKSet(options.jwksUrl);
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, verifyOptions));
    } catch (error) {
      throw new AuthenticationError(reasonFor(error));
    }
    return principalOf(payload);
  };
}

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
