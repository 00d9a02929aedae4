import type { Collection } from 'mongodb';
import type { CurrencyCode } from '../domain/money.js';
import type { AccountDocument } from '../read/documents.js';
import { toBigInt } from './totals.js';

/** 2^25: a balance (at most 10^15 < 2^50) splits into two parts below 2^25 each. */
const SPLIT = 2 ** 25;

/**
 * The sum of the accounts read model's balances in one currency, exactly, aggregated by the
 * server. Balances are stored as numbers, so the server sums doubles, which stop being exact past
 * 2^53; summing the high and low 25 bits of each balance apart keeps both sums exact up to
 * 2^28 accounts, whatever numeric type the server sums them in.
 */
export async function sumOfBalances(
  accounts: Collection<AccountDocument>,
  currency: CurrencyCode,
): Promise<{ balances: bigint; accounts: number; lastPosition: bigint }> {
  const [sums] = await accounts
    .aggregate<{ high: unknown; low: unknown; count: unknown; lastPosition: unknown }>(
      [
        { $match: { currency } },
        {
          $group: {
            _id: null,
            // $trunc (towards zero) with $mod (sign of the dividend) splits negatives correctly too.
            high: { $sum: { $trunc: [{ $divide: ['$balance', SPLIT] }, 0] } },
            low: { $sum: { $mod: ['$balance', SPLIT] } },
            count: { $sum: 1 },
            lastPosition: { $max: '$position' },
          },
        },
      ],
      { useBigInt64: true },
    )
    .toArray();
  if (!sums) return { balances: 0n, accounts: 0, lastPosition: -1n };
  return {
    balances: wholeNumber(sums.high) * BigInt(SPLIT) + wholeNumber(sums.low),
    accounts: Number(sums.count),
    lastPosition: toBigInt(sums.lastPosition),
  };
}

/** A sum that is a whole number, whether the server answered an int, a long or a double. */
function wholeNumber(value: unknown): bigint {
  return typeof value === 'number' ? BigInt(Math.round(value)) : toBigInt(value);
}
