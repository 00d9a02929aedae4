export { type EventGuard, EventParking, UNGUARDED } from './event-parking.js';
export { isInfrastructureFailure } from './infrastructure-failure.js';
export {
  type ParkedEvent,
  type ParkedEventDocument,
  type ParkedEventPage,
  ParkedEventStore,
  parkedEventCursor,
} from './parked-events.js';
export { type ParkedEventConsumer, type ReplayOutcome, replayParked } from './replay.js';
export {
  attemptWithRetries,
  DEFAULT_RETRY_POLICY,
  exponentialBackoff,
  type RetryPolicy,
} from './retry-policy.js';
