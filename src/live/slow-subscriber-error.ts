import { GraphQLError } from 'graphql';

/**
 * Ends a subscription whose client fell too far behind. It is delivered in order, after every
 * update the client was sent, so `afterRevision` is the last revision the client received:
 * subscribing again with it resumes with no gap and no duplicate.
 */
export class SlowSubscriberError extends GraphQLError {
  constructor(maxPending: number, afterRevision: number) {
    super(
      `This subscription fell more than ${maxPending} updates behind and was ended. Subscribe ` +
        `again with afterRevision: ${afterRevision} to receive the rest with no gap.`,
      { extensions: { code: 'SUBSCRIBER_TOO_SLOW', afterRevision, maxPending } },
    );
  }
}
