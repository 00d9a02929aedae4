import { isCurrencyCode, minorDigits } from '../../domain/currencies.js';
import { MAX_MINOR_UNITS } from '../../domain/money.js';
import { type EventRef, type StreamSoFar, UpcastError } from '../upcaster.js';

/**
 * The currency of legacy events that never named one. The classic examples Tally's oldest
 * shapes come from were single-currency dollar ledgers; an `AccountCreated` that carries a
 * `currency` keeps its own.
 */
export const LEGACY_CURRENCY = 'USD';

/**
 * A legacy amount (a JSON number such as 100.50, or a decimal string) in integer minor units of
 * `currency`. The number's shortest decimal spelling (what JSON.stringify writes) must fit the
 * currency's minor digits exactly: 100.505 dollars is refused, naming the event, never rounded.
 */
export function legacyMinorUnits(
  amount: unknown,
  currency: string,
  field: string,
  event: EventRef,
): number {
  if (!isCurrencyCode(currency)) {
    throw new UpcastError(event, `"${currency}" is not an ISO 4217 currency code`);
  }
  const text = typeof amount === 'number' ? String(amount) : amount;
  if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text)) {
    throw new UpcastError(
      event,
      `${field} ${JSON.stringify(amount)} is not a positive decimal amount of money`,
    );
  }
  const [whole = '', fraction = ''] = text.split('.');
  const digits = minorDigits(currency);
  if (fraction.length > digits) {
    throw new UpcastError(
      event,
      `${field} ${text} is not a whole number of ${currency} minor units (${digits} decimal places); Tally never rounds money`,
    );
  }
  const minor = Number(whole + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor) || minor > MAX_MINOR_UNITS) {
    throw new UpcastError(event, `${field} ${text} is larger than the largest amount Tally holds`);
  }
  return minor;
}

/** The account's currency, which a legacy movement leaves implicit; it must be open already. */
export function currencyBefore(before: StreamSoFar, event: EventRef): string {
  if (before.currency === undefined) {
    throw new UpcastError(event, 'no earlier event of the stream says which currency it is in');
  }
  return before.currency;
}

/** The account id of an `account-<id>` stream. */
export function accountIdOf(streamId: string): string {
  return streamId.startsWith('account-') ? streamId.slice('account-'.length) : streamId;
}
