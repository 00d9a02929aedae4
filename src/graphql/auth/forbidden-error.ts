import { GraphQLError } from 'graphql';

export type RequiredRole = 'CUSTOMER' | 'TELLER' | 'AUDITOR' | 'ADMIN';

/**
 * A principal without the rights for a field. In a mutation's result union it is the
 * `ForbiddenError` member; thrown from a query or subscription it is an error with code
 * FORBIDDEN. Either way nothing was read or written.
 */
export class ForbiddenError extends GraphQLError {
  constructor(
    message: string,
    readonly requiredRole: RequiredRole,
  ) {
    super(message, { extensions: { code: 'FORBIDDEN', requiredRole } });
  }
}
