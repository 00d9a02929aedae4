import { type EventRef, type StreamSoFar, UpcastError, type Upcaster } from '../upcaster.js';
import { accountIdOf, currencyBefore, legacyMinorUnits } from './legacy-amount.js';

/**
 * `MoneyDeposited { amount: 100.50 }` / `MoneyWithdrawn { amount }` (v1: a float, no currency,
 * no balance) → v2 `{ accountId, amount, currency, balanceAfter, description? }` in integer
 * minor units of the account's currency, with the balance carried on from the stream so far.
 *
 * Tally itself stamped every event schemaVersion 1 until per-type versions existed, so a "v1"
 * event that already has the v2 fields (an integer amount, a currency, a balanceAfter) is a
 * v2 event and passes through unchanged.
 */
function movementV1(type: 'MoneyDeposited' | 'MoneyWithdrawn', sign: 1 | -1): Upcaster {
  return {
    from: { type, version: 1 },
    to: { type, version: 2 },
    needsStream: true,
    upcast(data, before, event) {
      if (isV2(data)) return data;
      const { amount, description } = (data ?? {}) as Record<string, unknown>;
      const currency = currencyBefore(before, event);
      const minor = legacyMinorUnits(amount, currency, 'amount', event);
      if (minor === 0) throw new UpcastError(event, 'amount is zero');
      return {
        accountId: accountIdOf(event.streamId),
        amount: minor,
        currency,
        balanceAfter: balanceAfter(before, sign * minor, event),
        ...(typeof description === 'string' && description !== '' ? { description } : {}),
      };
    },
  };
}

function isV2(data: unknown): boolean {
  const fields = (data ?? {}) as Record<string, unknown>;
  return (
    Number.isSafeInteger(fields.amount) &&
    typeof fields.currency === 'string' &&
    typeof fields.balanceAfter === 'number'
  );
}

function balanceAfter(before: StreamSoFar, change: number, event: EventRef): number {
  const balance = before.balance + change;
  if (!Number.isSafeInteger(balance)) {
    throw new UpcastError(event, 'the balance after it is not exact');
  }
  return balance;
}

export const moneyDepositedV1 = movementV1('MoneyDeposited', 1);
export const moneyWithdrawnV1 = movementV1('MoneyWithdrawn', -1);
