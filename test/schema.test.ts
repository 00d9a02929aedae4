import { readFileSync } from 'node:fs';
import { type GraphQLObjectType, type GraphQLUnionType, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/graphql/schema.js';

describe('schema/schema.graphql', () => {
  it('is the schema the code builds (run `npm run print-schema` after changing the API)', () => {
    const committed = readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${printSchema(schema)}\n`);
  });

  it('keeps the names and signatures of the API contract', () => {
    const signature = (typeName: 'Query' | 'Mutation' | 'Subscription', field: string) => {
      const type = schema.getType(typeName) as GraphQLObjectType;
      const definition = type.getFields()[field]!;
      const args = definition.args.map((arg) => `${arg.name}: ${arg.type}`).join(', ');
      return `${field}(${args}): ${definition.type}`;
    };
    expect(signature('Query', 'account')).toBe(
      'account(id: ID!, consistentWith: Position): Account',
    );
    expect(signature('Query', 'transfer')).toBe(
      'transfer(id: ID!, consistentWith: Position): Transfer',
    );
    expect(signature('Subscription', 'balanceChanged')).toBe(
      'balanceChanged(accountId: ID!, afterRevision: Int): Account!',
    );
    expect(signature('Subscription', 'accountActivity')).toBe(
      'accountActivity(accountId: ID!, afterRevision: Int): Transaction!',
    );
    expect(signature('Mutation', 'transferMoney')).toBe(
      'transferMoney(input: TransferMoneyInput!): TransferResult!',
    );
    for (const mutation of [
      'openAccount',
      'depositMoney',
      'withdrawMoney',
      'freezeAccount',
      'unfreezeAccount',
      'closeAccount',
    ]) {
      expect(signature('Mutation', mutation)).toMatch(/\): AccountCommandResult!$/);
    }
    const members = (name: string) =>
      (schema.getType(name) as GraphQLUnionType).getTypes().map(String);
    expect(members('AccountCommandResult')).toEqual([
      'AccountCommandSuccess',
      'ValidationError',
      'AccountNotFoundError',
      'AccountNotOpenError',
      'InsufficientFundsError',
      'ConcurrencyConflictError',
      'ForbiddenError',
    ]);
    expect(members('TransferResult')).toEqual([
      'TransferSuccess',
      'ValidationError',
      'AccountNotFoundError',
      'AccountNotOpenError',
      'InsufficientFundsError',
      'ForbiddenError',
    ]);
    // Field order is not part of a GraphQL contract (the receipt fields come from an interface).
    const fields = (name: string) =>
      Object.keys((schema.getType(name) as GraphQLObjectType).getFields()).sort();
    expect(fields('AccountCommandSuccess')).toEqual(['account', 'correlationId', 'position']);
    expect(fields('TransferSuccess')).toEqual(['correlationId', 'position', 'transfer']);
    expect(fields('ForbiddenError')).toEqual(['message', 'requiredRole']);
    // The contract's connection names, which clients' fragments may name.
    for (const [type, field, connection] of [
      ['Query', 'accounts', 'AccountConnection'],
      ['Account', 'transactions', 'TransactionConnection'],
      ['Account', 'holds', 'HoldConnection'],
      ['Account', 'history', 'LedgerEventConnection'],
      ['Query', 'parkedEvents', 'ParkedEventConnection'],
    ] as const) {
      const owner = schema.getType(type) as GraphQLObjectType;
      expect(String(owner.getFields()[field]?.type)).toBe(`${connection}!`);
    }
    for (const success of [
      'AccountCommandSuccess',
      'TransferSuccess',
      'HoldSuccess',
      'ReversalSuccess',
    ]) {
      const type = schema.getType(success) as GraphQLObjectType;
      expect(type.getInterfaces().map((i) => i.name)).toContain('CommandReceipt');
    }
  });

  it('declares who may use every Query, Mutation and Subscription field (authScopes)', () => {
    const unguarded: string[] = [];
    for (const root of [
      schema.getQueryType(),
      schema.getMutationType(),
      schema.getSubscriptionType(),
    ]) {
      for (const field of Object.values(root!.getFields())) {
        const options = (field.extensions as { pothosOptions?: { authScopes?: unknown } })
          .pothosOptions;
        if (!options?.authScopes) unguarded.push(`${root!.name}.${field.name}`);
      }
    }
    expect(unguarded, 'add authScopes (see src/graphql/builder.ts)').toEqual([]);
  });
});
