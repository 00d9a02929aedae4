import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { decimalFormatProblem } from '../domain/money.js';

function stringLiteral(ast: ValueNode, scalar: string): string {
  if (ast.kind !== Kind.STRING) {
    throw new GraphQLError(
      `${scalar} must be given as a string, such as "100.50", never as a number`,
    );
  }
  return ast.value;
}

/**
 * A positive amount written as a decimal string. Numbers are refused outright because a float
 * cannot hold money exactly. Whether the digits fit the currency is checked where the currency
 * is known, and reported as a ValidationError naming the field.
 */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description:
    'An amount of money as a decimal string, such as "1234.50": never a float. Output always has ' +
    "exactly the currency's minor digits; input may have fewer, but not more, and must be positive.",
  serialize: (value) => String(value),
  parseValue: parseDecimal,
  parseLiteral: (ast) => parseDecimal(stringLiteral(ast, 'Decimal')),
});

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant in ISO-8601, UTC: "2026-11-22T15:00:00.000Z".',
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(stringLiteral(ast, 'DateTime')),
});

/** A commit position in EventStoreDB's $all, as a decimal string (64-bit, so never a JSON number). */
export const PositionScalar = new GraphQLScalarType<bigint, string>({
  name: 'Position',
  description:
    "An EventStoreDB commit position, as a decimal string. Mutations return one; pass it as a query's consistentWith to read your writes.",
  serialize: (value) => String(value),
  parseValue: parsePosition,
  parseLiteral: (ast) => parsePosition(stringLiteral(ast, 'Position')),
});

function parseDecimal(value: unknown): string {
  if (typeof value !== 'string') {
    throw new GraphQLError('Decimal must be a string, such as "100.50", never a number');
  }
  const problem = decimalFormatProblem(value);
  if (problem) throw new GraphQLError(`Decimal ${problem}; got "${value}"`);
  return value;
}

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new GraphQLError('DateTime must be an ISO-8601 string');
  }
  return date;
}

function parsePosition(value: unknown): bigint {
  if (typeof value !== 'string' || !/^\d{1,20}$/.test(value) || BigInt(value) >= 2n ** 64n) {
    throw new GraphQLError('Position must be a decimal string of an unsigned 64-bit integer');
  }
  return BigInt(value);
}
