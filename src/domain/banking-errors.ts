/**
 * Business-rule failures of holds and reversals. Like those in errors.ts, each class becomes a
 * typed member of a mutation's result union, so their names and fields are API contract.
 */
import { DomainError } from './errors.js';

export type HoldStatus = 'ACTIVE' | 'CAPTURED' | 'RELEASED' | 'EXPIRED';

export class HoldNotFoundError extends DomainError {
  constructor(readonly holdId: string) {
    super(`hold ${holdId} does not exist`);
  }
}

/** A capture or release of a hold that was already captured, released or expired. */
export class HoldNotActiveError extends DomainError {
  constructor(
    readonly holdId: string,
    readonly status: HoldStatus,
  ) {
    super(`hold ${holdId} is ${status.toLowerCase()}, no longer active`);
  }
}

export class TransactionNotFoundError extends DomainError {
  constructor(readonly transactionId: string) {
    super(`transaction ${transactionId} does not exist`);
  }
}

export class ReversalWindowClosedError extends DomainError {
  constructor(
    readonly transactionId: string,
    readonly originalOccurredAt: Date,
    readonly windowDays: number,
  ) {
    super(
      `transaction ${transactionId} occurred at ${originalOccurredAt.toISOString()}; ` +
        `it could be reversed only within ${windowDays} days`,
    );
  }
}

export class AlreadyReversedError extends DomainError {
  constructor(
    readonly transactionId: string,
    readonly reversalId: string,
  ) {
    super(`transaction ${transactionId} was already reversed by ${reversalId}`);
  }
}
