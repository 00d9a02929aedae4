import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { isUuid } from '../domain/ids.js';
import { ForbiddenError } from './auth/forbidden-error.js';
import type { GraphQLContext } from './context.js';
import { DateTimeScalar, DecimalScalar, PositionScalar } from './scalars.js';

/**
 * Who may use a field is declared on the field, with `authScopes` (Pothos scope-auth); a test
 * fails for any Query, Mutation or Subscription field without it. A map grants the field when
 * ANY of its scopes holds, for example `authScopes: { auditor: true, admin: true }`.
 *
 *   customer / teller / auditor / admin   the token's `roles` claim includes that role
 *   self: id                              a customer whose `sub` is this id (an ownerId)
 *   accountOwner: accountId               a customer who owns this account, according to the
 *                                         write side (authoritative; the read models may lag)
 *
 * A refused mutation returns `ForbiddenError { message, requiredRole }` in its result union (name
 * the role with `unauthorizedError: forbidden('TELLER', '…')`); a refused query or subscription
 * fails with extensions.code FORBIDDEN. See src/graphql/auth/rules.ts for the common rules.
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    Decimal: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    Position: { Input: bigint; Output: bigint };
    JSON: { Input: unknown; Output: unknown };
  };
  AuthScopes: {
    customer: boolean;
    teller: boolean;
    auditor: boolean;
    admin: boolean;
    self: string;
    accountOwner: string;
  };
  DefaultAuthStrategy: 'any';
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
}>({
  // Errors before scope-auth: a refusal thrown by scope-auth becomes a union member.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    defaultStrategy: 'any',
    authScopes: (context) => {
      const has = (role: string) => context.principal.roles.includes(role as never);
      const customer = has('customer');
      return {
        customer,
        teller: has('teller'),
        auditor: has('auditor'),
        admin: has('admin'),
        self: (id) => customer && id === context.principal.sub,
        accountOwner: async (accountId) => {
          if (!customer) return false;
          // A malformed id names no account; the resolver refuses it, naming the field.
          if (!isUuid(accountId)) return true;
          const owner = await context.ledger.accountOwner(accountId.toLowerCase());
          return owner !== undefined && owner === context.principal.sub;
        },
      };
    },
    unauthorizedError: (_parent, _context, info) =>
      new ForbiddenError(`Forbidden: this principal may not use ${info.fieldName}`, 'ADMIN'),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

builder.addScalarType('Decimal', DecimalScalar);
builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('Position', PositionScalar);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
