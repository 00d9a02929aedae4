import type { Filter } from 'mongodb';
import type { Logger } from '../logger.js';
import type { HoldDocument } from '../read/documents.js';
import type { ReadModels } from '../read/read-models.js';
import { deterministicId, hashInput } from '../write/envelope.js';
import type { Ledger } from '../write/ledger.js';
import { PeriodicProcess } from './periodic-process.js';

/** The principal the expiry process writes as; no token can claim a `system:` principal. */
export const HOLD_EXPIRY_ACTOR = 'system:hold-expiry';

export interface HoldExpiryOptions {
  /** How often to look for holds that are due (default 1 s). */
  intervalMs?: number;
  /** Holds expired per query; a full batch is followed by another at once. */
  batchSize?: number;
  /**
   * Only holds that also match this (default: all). For tests that share one event store and
   * must not expire each other's holds with their own clocks.
   */
  scope?: Filter<HoldDocument>;
}

/**
 * Releases every active hold once the process clock passes its expiresAt (HoldExpired, dated
 * by that clock). Due holds are found in the holds read model; the account stream decides: a
 * hold captured or released meanwhile is left alone, so an expiry racing a capture loses or
 * wins whole, never both. The command id derives from the hold, so a pass repeated after a
 * crash, a lagging read model that still shows the hold active, or a second instance finds the
 * expiry already in the stream and appends nothing: each hold expires exactly once.
 */
export function createHoldExpiry(
  ledger: Ledger,
  models: ReadModels,
  logger: Logger,
  clock: () => Date,
  options: HoldExpiryOptions = {},
): PeriodicProcess {
  const batchSize = options.batchSize ?? 100;
  const pass = async () => {
    const now = clock();
    let expired = 0;
    const tried = new Set<string>();
    for (;;) {
      const due = await models.holds
        .find({
          ...options.scope,
          status: 'ACTIVE',
          expiresAt: { $lte: now },
          _id: { $nin: [...tried] },
        })
        .sort({ expiresAt: 1 })
        .limit(batchSize)
        .project<{ _id: string; accountId: string }>({ accountId: 1 })
        .toArray();
      for (const hold of due) {
        tried.add(hold._id);
        try {
          if (await expireHold(ledger, hold._id, hold.accountId, now)) expired++;
        } catch (error) {
          logger.error(
            { err: error, holdId: hold._id },
            'hold expiry failed; the next pass retries',
          );
        }
      }
      if (due.length < batchSize) return expired;
    }
  };
  return new PeriodicProcess('hold-expiry', pass, logger, options.intervalMs ?? 1000);
}

/** Sends ExpireHold for one hold; true when it appended HoldExpired (not a repeat or a no-op). */
export async function expireHold(
  ledger: Ledger,
  holdId: string,
  accountId: string,
  at: Date,
): Promise<boolean> {
  const commandId = deterministicId(`hold:${holdId}:expire`);
  const outcome = await ledger.onAccount(
    { type: 'ExpireHold', accountId, data: { holdId, at: at.toISOString() } },
    {
      commandId,
      actor: HOLD_EXPIRY_ACTOR,
      correlationId: commandId,
      causationId: commandId,
      occurredAt: at.toISOString(),
      reason: 'the hold reached its expiresAt',
      // The same command whenever it runs: its time must not make a repeat look like another.
      inputHash: hashInput({ expireHold: holdId }),
    },
  );
  return outcome.events.length > 0 && !outcome.replayed;
}
