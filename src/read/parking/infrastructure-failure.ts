import {
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  UnavailableError,
} from '@eventstore/db-client';
import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';

/**
 * True when an error means a store could not be reached or answered, not that the event is bad.
 * Such a failure must never park an event: every event would be parked during an outage. The
 * subscription fails instead and resubscribes from its checkpoint until the store is back.
 */
export function isInfrastructureFailure(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof CancelledError ||
    error instanceof NotLeaderError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError
  ) {
    return true;
  }
  // The driver labels errors worth retrying on another connection or primary (pool cleared,
  // primary stepped down, shutdown in progress).
  return (
    error instanceof MongoError &&
    (error.hasErrorLabel('RetryableWriteError') || error.hasErrorLabel('ResetPool'))
  );
}
