import { AuthenticationError } from './authentication-error.js';

/** The token of an `Authorization: Bearer <token>` header (or a graphql-ws connectionParams value). */
export function bearerToken(header: unknown): string {
  if (typeof header !== 'string' || header.trim() === '') {
    throw new AuthenticationError('send "Authorization: Bearer <token>"');
  }
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!match) throw new AuthenticationError('the Authorization header must be "Bearer <token>"');
  return match[1]!;
}
