import {
  AccountNotFoundError,
  AccountNotOpenError,
  ConcurrencyConflictError,
  type DomainError,
  InsufficientFundsError,
  ValidationError,
} from '../../domain/errors.js';
import { builder } from '../builder.js';
import { AccountCommandSuccessType, TransferSuccessType } from './account-state.js';
import { AccountStatusEnum } from './enums.js';
import { MoneyType } from './money.js';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'A business-rule failure returned as data: the request was understood and refused.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

const ValidationErrorType = builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'An input broke a rule; `field` names it. Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field') }),
});

const AccountNotFoundErrorType = builder.objectType(AccountNotFoundError, {
  name: 'AccountNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ accountId: t.exposeID('accountId') }),
});

const AccountNotOpenErrorType = builder.objectType(AccountNotOpenError, {
  name: 'AccountNotOpenError',
  description: 'The account is frozen or closed and refuses money movements.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    accountId: t.exposeID('accountId'),
    status: t.field({ type: AccountStatusEnum, resolve: (error) => error.status }),
  }),
});

const InsufficientFundsErrorType = builder.objectType(InsufficientFundsError, {
  name: 'InsufficientFundsError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    accountId: t.exposeID('accountId'),
    available: t.field({ type: MoneyType, resolve: (error) => error.available }),
    requested: t.field({ type: MoneyType, resolve: (error) => error.requested }),
  }),
});

const ConcurrencyConflictErrorType = builder.objectType(ConcurrencyConflictError, {
  name: 'ConcurrencyConflictError',
  description: 'The account changed since the expectedRevision the client passed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    expectedRevision: t.exposeInt('expectedRevision'),
    actualRevision: t.exposeInt('actualRevision', { nullable: true }),
  }),
});

const accountCommandErrors = [
  ValidationErrorType,
  AccountNotFoundErrorType,
  AccountNotOpenErrorType,
  InsufficientFundsErrorType,
  ConcurrencyConflictErrorType,
] as const;

const transferErrors = [
  ValidationErrorType,
  AccountNotFoundErrorType,
  AccountNotOpenErrorType,
  InsufficientFundsErrorType,
] as const;

const errorClasses = [
  ValidationError,
  AccountNotFoundError,
  AccountNotOpenError,
  InsufficientFundsError,
  ConcurrencyConflictError,
];

/** Union members resolve by the failure's type name; anything else is the success. */
function resolveResultType(successType: string) {
  return (value: object) => ('__typename' in value ? String(value.__typename) : successType);
}

export const AccountCommandResultType = builder.unionType('AccountCommandResult', {
  types: [AccountCommandSuccessType, ...accountCommandErrors],
  resolveType: resolveResultType('AccountCommandSuccess'),
});

export const TransferResultType = builder.unionType('TransferResult', {
  types: [TransferSuccessType, ...transferErrors],
  resolveType: resolveResultType('TransferSuccess'),
});

type ErrorClass = new (...args: never[]) => DomainError;

export const accountCommandErrorClasses = errorClasses;
export const transferErrorClasses = [
  ValidationError,
  AccountNotFoundError,
  AccountNotOpenError,
  InsufficientFundsError,
];

/**
 * Runs a mutation and returns a business-rule failure of the union's types as a member of the
 * union instead of an error. Anything else still throws, so it is masked and logged.
 */
export async function asResult<T, C extends ErrorClass>(
  unionErrors: readonly C[],
  work: () => Promise<T>,
): Promise<T | InstanceType<C>> {
  try {
    return await work();
  } catch (error) {
    const errorClass = unionErrors.find((c) => error instanceof c);
    if (!errorClass || !(error instanceof Error)) throw error;
    // graphql-js treats a returned Error instance as a field error, so the failure travels as
    // a plain copy of it, which the error object types read just the same.
    const failure = { ...error, message: error.message, __typename: errorClass.name };
    return failure as unknown as InstanceType<C>;
  }
}
