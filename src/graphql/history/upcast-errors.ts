import { GraphQLError } from 'graphql';
import { UpcastError } from '../../events/upcaster.js';

/**
 * An event that cannot be read in today's shape (a legacy float that is not whole minor units)
 * is reported as it is, naming the event, with code UNREADABLE_EVENT: the history is never shown
 * rounded or guessed at.
 */
export async function reportingUnreadableEvents<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof UpcastError) {
      throw new GraphQLError(error.message, { extensions: { code: 'UNREADABLE_EVENT' } });
    }
    throw error;
  }
}
