import { AccountNotOpenError } from '../errors.js';
import { parseText } from '../ids.js';
import { parseMoney } from '../money.js';
import { parseAnnualRate } from './annual-rate.js';
import type { AccountCommand } from './commands.js';
import type { AccountEvent } from './events.js';
import { credit, debit, movement, REASON, requireExisting, requireOpen } from './rules.js';
import type { AccountState } from './state.js';

type Command<T extends AccountCommand['type']> = Extract<AccountCommand, { type: T }>;

/** A fee with its reason, taken from the available balance of an open account. */
export function chargeFee(command: Command<'ChargeFee'>, state: AccountState): AccountEvent[] {
  const reason = parseText(command.data.reason, 'reason', REASON)!;
  const account = requireOpen(state, command.accountId);
  const { minor } = parseMoney(command.data.amount, account.currency, 'amount');
  return [
    { type: 'FeeCharged', data: { ...movement(account, minor, debit(account, minor)), reason } },
  ];
}

/** The rate from now on; a closed account earns nothing, and setting the same rate is no change. */
export function setInterestRate(
  command: Command<'SetInterestRate'>,
  state: AccountState,
): AccountEvent[] {
  const reason = parseText(command.data.reason, 'reason', REASON)!;
  const { canonical } = parseAnnualRate(command.data.annualRate, 'annualRate');
  const account = requireExisting(state, command.accountId);
  if (account.status === 'CLOSED') throw new AccountNotOpenError(account.id, account.status);
  if (account.interestRate === canonical) return [];
  return [
    { type: 'InterestRateChanged', data: { accountId: account.id, annualRate: canonical, reason } },
  ];
}

/**
 * Posts a month's interest, computed by the interest process (interest.ts). Each month is
 * paid once: a period ending at or before the last one paid is a repeat and changes nothing,
 * as does a zero amount. A closed account can be credited nothing (its balance was zero when
 * it closed, so it forfeits at most the interest of that last month's earlier days).
 */
export function payInterest(command: Command<'PayInterest'>, state: AccountState): AccountEvent[] {
  const account = requireExisting(state, command.accountId);
  const { periodStart, periodEnd, amount, rate, days } = command.data;
  if (account.status === 'CLOSED' || amount <= 0) return [];
  if (account.interestPaidThrough !== undefined && periodEnd <= account.interestPaidThrough) {
    return [];
  }
  return [
    {
      type: 'InterestPaid',
      data: {
        ...movement(account, amount, credit(account, amount, 'amount')),
        periodStart,
        periodEnd,
        rate,
        days,
      },
    },
  ];
}
