import { GraphQLError } from 'graphql';

/**
 * A request without a valid bearer token: HTTP 401, code UNAUTHENTICATED, and nothing runs.
 * The message says what was wrong with the token, never anything about the ledger.
 */
export class AuthenticationError extends GraphQLError {
  constructor(reason: string) {
    super(`Unauthenticated: ${reason}`, {
      extensions: {
        code: 'UNAUTHENTICATED',
        http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="tally"' } },
      },
    });
  }
}
