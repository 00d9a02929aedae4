import { type EventStoreDBClient, StreamNotFoundError } from '@eventstore/db-client';
import type { Filter } from 'mongodb';
import { type AccountEvent, accountStreamName } from '../domain/account/index.js';
import {
  accrueInterest,
  type DatedAccountEvent,
  type InterestPeriod,
  monthJustEnded,
  monthOf,
} from '../domain/account/interest.js';
import type { Logger } from '../logger.js';
import type { AccountDocument } from '../read/documents.js';
import type { ReadModels } from '../read/read-models.js';
import { deterministicId, type EventMetadata, hashInput } from '../write/envelope.js';
import type { Ledger } from '../write/ledger.js';
import { PeriodicProcess } from './periodic-process.js';

/** The principal the interest process writes as; no token can claim a `system:` principal. */
export const INTEREST_ACTOR = 'system:interest-posting';

export interface InterestPostingOptions {
  /** How often to check whether a month has ended (default 1 min). */
  intervalMs?: number;
  /**
   * Only accounts that also match this (default: all). For tests that share one event store
   * and must not pay each other's interest with their own clocks.
   */
  scope?: Filter<AccountDocument>;
}

/**
 * Once a calendar month has ended (by the process clock), posts each account's interest for
 * it: InterestPaid, computed by the pure accrueInterest() from the account's own events. Each
 * posting's command id derives from (account, month), and the account refuses a month it has
 * already been paid for, so crashes, replays, restarts and several instances pay each month
 * exactly once. A month missed while Tally was down is posted at the next pass, in order.
 *
 * A pass covers the accounts of the accounts read model opened before the month ended; a
 * month is remembered as done, in memory, once every account passed, so later passes cost a
 * clock read until the next month ends (a restart does the pass again, harmlessly).
 */
export function createInterestPosting(
  client: EventStoreDBClient,
  ledger: Ledger,
  models: ReadModels,
  logger: Logger,
  clock: () => Date,
  options: InterestPostingOptions = {},
): PeriodicProcess {
  let doneThrough: string | undefined;
  const pass = async () => {
    const now = clock();
    const period = monthJustEnded(now);
    const periodKey = period.end.toISOString();
    if (doneThrough === periodKey) return 0;
    let posted = 0;
    let failed = false;
    const accounts = models.accounts
      .find({ ...options.scope, openedAt: { $lt: period.end }, status: { $ne: 'CLOSED' } })
      .project<{ _id: string }>({ _id: 1 });
    for await (const account of accounts) {
      try {
        posted += await postInterest(client, ledger, account._id, period, now);
      } catch (error) {
        failed = true;
        logger.error({ err: error, accountId: account._id }, 'interest posting failed; retried');
      }
    }
    if (!failed) doneThrough = periodKey;
    return posted;
  };
  return new PeriodicProcess('interest-posting', pass, logger, options.intervalMs ?? 60_000);
}

/**
 * Posts the interest of every month of one account that ended by `upTo` and has not been paid:
 * from the month after the last one paid (or the month of its first rate) through `upTo`.
 * Returns how many postings it appended.
 */
export async function postInterest(
  client: EventStoreDBClient,
  ledger: Ledger,
  accountId: string,
  upTo: InterestPeriod,
  now: Date,
): Promise<number> {
  const history = await datedHistory(client, accountId);
  let month = firstUnpaidMonth(history);
  let posted = 0;
  while (month && month.start < upTo.end) {
    const accrual = accrueInterest(history, month);
    if (accrual.amount > 0) {
      const periodStart = month.start.toISOString();
      const commandId = deterministicId(`interest:${accountId}:${periodStart}`);
      const outcome = await ledger.onAccount(
        {
          type: 'PayInterest',
          accountId,
          data: {
            periodStart,
            periodEnd: month.end.toISOString(),
            amount: accrual.amount,
            rate: accrual.rate ?? '0',
            days: accrual.days,
          },
        },
        {
          commandId,
          actor: INTEREST_ACTOR,
          correlationId: commandId,
          causationId: commandId,
          occurredAt: now.toISOString(),
          reason: `interest for ${periodStart.slice(0, 7)}`,
          // One posting per (account, month), whenever and wherever it is computed.
          inputHash: hashInput({ payInterest: accountId, periodStart }),
        },
      );
      if (outcome.events.length > 0 && !outcome.replayed) posted++;
    }
    month = monthOf(month.end);
  }
  return posted;
}

/** The month after the last one paid; else the month of the first rate; none without a rate. */
function firstUnpaidMonth(history: readonly DatedAccountEvent[]): InterestPeriod | undefined {
  let paidThrough: string | undefined;
  let firstRate: Date | undefined;
  for (const { event, occurredAt } of history) {
    if (event.type === 'InterestPaid') paidThrough = event.data.periodEnd;
    if (event.type === 'InterestRateChanged') firstRate ??= occurredAt;
  }
  if (paidThrough) return monthOf(new Date(paidThrough));
  return firstRate && monthOf(firstRate);
}

/** The account's events with the time each occurred, in stream order. */
async function datedHistory(
  client: EventStoreDBClient,
  accountId: string,
): Promise<DatedAccountEvent[]> {
  const history: DatedAccountEvent[] = [];
  try {
    for await (const resolved of client.readStream(accountStreamName(accountId))) {
      const event = resolved.event;
      if (!event) continue;
      const stamped = (event.metadata as Partial<EventMetadata> | undefined)?.occurredAt;
      history.push({
        event: { type: event.type, data: event.data } as AccountEvent,
        occurredAt: stamped ? new Date(stamped) : event.created,
      });
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return history;
}
