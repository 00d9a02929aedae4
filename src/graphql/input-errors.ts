import { GraphQLError } from 'graphql';
import { ValidationError } from '../domain/errors.js';

/**
 * Queries and subscriptions return plain types, not result unions, so their bad input is a
 * GraphQL error with code BAD_USER_INPUT and the field named, the same rule a mutation reports.
 */
export function asUserInputError<T>(validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new GraphQLError(error.message, {
        extensions: { code: 'BAD_USER_INPUT', field: error.field },
      });
    }
    throw error;
  }
}

export function pageSize(first: number | null | undefined, field = 'first'): number {
  if (first === null || first === undefined) return 20;
  if (!Number.isInteger(first) || first < 1 || first > 100) {
    throw new GraphQLError(`${field}: must be between 1 and 100`, {
      extensions: { code: 'BAD_USER_INPUT', field },
    });
  }
  return first;
}
