import {
  AccountNotFoundError,
  AccountNotOpenError,
  ConcurrencyConflictError,
  InsufficientFundsError,
  ValidationError,
} from '../../domain/errors.js';
import { ForbiddenError } from '../auth/forbidden-error.js';
import { builder } from '../builder.js';
import { MoneyType } from './money.js';

/**
 * The failures a mutation returns as data. Each error class of the domain is an object type of
 * its own name; a result union lists the classes it may return (builder.errorUnion), and
 * @pothos/plugin-errors turns a thrown instance into that member. Anything else thrown is a bug:
 * masked and logged.
 */
export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'A business-rule failure returned as data: the request was understood and refused.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

export const AccountStatusEnum = builder.enumType('AccountStatus', {
  values: ['OPEN', 'FROZEN', 'CLOSED'] as const,
});

export const RoleEnum = builder.enumType('Role', {
  values: ['CUSTOMER', 'TELLER', 'AUDITOR', 'ADMIN'] as const,
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'An input broke a rule; `field` names it. Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field') }),
});

builder.objectType(AccountNotFoundError, {
  name: 'AccountNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ accountId: t.exposeID('accountId') }),
});

builder.objectType(AccountNotOpenError, {
  name: 'AccountNotOpenError',
  description: 'The account is frozen or closed and refuses money movements.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    accountId: t.exposeID('accountId'),
    status: t.field({ type: AccountStatusEnum, resolve: (error) => error.status }),
  }),
});

builder.objectType(InsufficientFundsError, {
  name: 'InsufficientFundsError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    accountId: t.exposeID('accountId'),
    available: t.field({ type: MoneyType, resolve: (error) => error.available }),
    requested: t.field({ type: MoneyType, resolve: (error) => error.requested }),
  }),
});

builder.objectType(ConcurrencyConflictError, {
  name: 'ConcurrencyConflictError',
  description: 'The account changed since the expectedRevision the client passed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    expectedRevision: t.exposeInt('expectedRevision'),
    actualRevision: t.exposeInt('actualRevision', { nullable: true }),
  }),
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description:
    "The principal's roles do not allow this mutation on this account; `requiredRole` is the least role that would. Nothing was written.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    requiredRole: t.field({ type: RoleEnum, resolve: (error) => error.requiredRole }),
  }),
});
