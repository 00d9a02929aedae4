import { GraphQLScalarType, valueFromASTUntyped } from 'graphql';
import { builder } from '../builder.js';

/** Arbitrary JSON, for event data: each event type has its own shape, shown as stored (upcast). */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description: "Any JSON value: an event's data, in the current shape of its type.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

builder.addScalarType('JSON', JSONScalar);
