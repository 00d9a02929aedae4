import { SignJWT } from 'jose';
import type { Role } from './roles.js';

export interface TokenClaims {
  sub: string;
  roles: readonly Role[];
  /** A jose time span such as "12h", or seconds since the epoch. */
  expiresIn?: string | number;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** An HS256 token, as development mode prints and tests send. */
export function signToken(secret: Uint8Array, claims: TokenClaims): Promise<string> {
  const jwt = new SignJWT({ roles: [...claims.roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h');
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt.setAudience(claims.audience);
  return jwt.sign(secret);
}
