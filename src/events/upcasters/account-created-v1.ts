import { UpcastError, type Upcaster } from '../upcaster.js';
import { accountIdOf, LEGACY_CURRENCY } from './legacy-amount.js';

/**
 * `AccountCreated { owner, initialBalance }` (v1, the classic banking example) → `AccountOpened`
 * v1 `{ accountId, ownerId, currency }`. The account id comes from the stream's name, the
 * currency from the event if it has one, else LEGACY_CURRENCY.
 *
 * Tally's AccountOpened opens at zero and money arrives as deposits, so a non-zero
 * initialBalance cannot become one event of today's shape (splitting it into two would give two
 * events one revision). It is refused, naming the event: migrate it as an AccountCreated at zero
 * followed by a MoneyDeposited.
 */
export const accountCreatedV1: Upcaster = {
  from: { type: 'AccountCreated', version: 1 },
  to: { type: 'AccountOpened', version: 1 },
  needsStream: false,
  upcast(data, _before, event) {
    const { owner, initialBalance, currency } = (data ?? {}) as Record<string, unknown>;
    if (typeof owner !== 'string' || owner === '') {
      throw new UpcastError(event, 'owner is missing');
    }
    if (initialBalance !== undefined && initialBalance !== 0 && initialBalance !== '0') {
      throw new UpcastError(
        event,
        `initialBalance ${JSON.stringify(initialBalance)} is not zero; Tally accounts open at zero, so migrate it as a MoneyDeposited after the AccountCreated`,
      );
    }
    return {
      accountId: accountIdOf(event.streamId),
      ownerId: owner,
      currency: typeof currency === 'string' ? currency : LEGACY_CURRENCY,
    };
  },
};
