import { GraphQLError } from 'graphql';
import { maskError } from 'graphql-yoga';
import { ValidationError } from '../domain/errors.js';
import type { Logger } from '../logger.js';

/**
 * Every error a client sees has a code. Input a query or subscription refuses (a ValidationError
 * from the domain) becomes BAD_USER_INPUT naming the field; errors meant for the client
 * (UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED, ...) pass through; those are the client's mistakes
 * and are logged at info. Anything else is a bug: logged with its stack, masked for the client.
 */
export function maskErrorsFor(logger: Logger) {
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const located = error instanceof GraphQLError ? error : undefined;
    const original = located?.originalError ?? error;
    if (original instanceof ValidationError) {
      logger.info({ field: original.field, reason: original.message }, 'input refused');
      return new GraphQLError(original.message, {
        ...(located ? { nodes: located.nodes, path: located.path } : {}),
        extensions: { code: 'BAD_USER_INPUT', field: original.field },
      });
    }
    const variable = located && badVariable(located);
    if (variable) {
      logger.info({ field: variable.extensions.field, reason: variable.message }, 'input refused');
      return variable;
    }
    const masked = maskError(error, message, isDev);
    if (masked === error) {
      const code = (masked as GraphQLError).extensions?.code;
      logger.info({ code, reason: masked.message }, 'request refused');
    } else {
      logger.error({ err: original }, 'unexpected error while executing a GraphQL operation');
    }
    return masked;
  };
}

/**
 * graphql-js reports a variable a scalar refused as 'Variable "$input" got invalid value "-5" at
 * "input.amount"; Decimal must be …': the rule is there, so the error gains the code and the
 * field it names.
 */
function badVariable(error: GraphQLError): GraphQLError | undefined {
  const match = /^Variable "\$(\w+)" got invalid value .*?(?: at "([^"]+)")?; /s.exec(
    error.message,
  );
  if (!match) return undefined;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    extensions: { code: 'BAD_USER_INPUT', field: match[2] ?? match[1] },
  });
}
