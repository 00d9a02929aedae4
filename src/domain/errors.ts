import type { Money } from './money.js';

/**
 * Business-rule failures. decide() throws them; the GraphQL layer turns each class into a typed
 * union member, so they are part of the API contract. Anything else thrown is unexpected and masked.
 */
export abstract class DomainError extends Error {}

export class ValidationError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class AccountNotFoundError extends DomainError {
  constructor(readonly accountId: string) {
    super(`account ${accountId} does not exist`);
  }
}

export type AccountStatus = 'OPEN' | 'FROZEN' | 'CLOSED';

export class AccountNotOpenError extends DomainError {
  constructor(
    readonly accountId: string,
    readonly status: AccountStatus,
  ) {
    super(`account ${accountId} is ${status.toLowerCase()}`);
  }
}

export class InsufficientFundsError extends DomainError {
  constructor(
    readonly accountId: string,
    readonly available: Money,
    readonly requested: Money,
  ) {
    super(`account ${accountId} has insufficient funds`);
  }
}

export class ConcurrencyConflictError extends DomainError {
  constructor(
    readonly expectedRevision: number,
    readonly actualRevision: number | null,
  ) {
    super(
      `expected revision ${expectedRevision} but the stream is at ${actualRevision ?? 'no stream'}`,
    );
  }
}

/** A transfer's target cannot take the money; the process manager refunds the source. */
export class CurrencyMismatchError extends DomainError {
  constructor(
    readonly accountId: string,
    readonly accountCurrency: string,
    readonly transferCurrency: string,
  ) {
    super(`account ${accountId} holds ${accountCurrency}, not ${transferCurrency}`);
  }
}
