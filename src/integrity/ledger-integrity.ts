import type { CurrencyCode } from '../domain/money.js';
import type { ReadModels } from '../read/read-models.js';
import { sumOfBalances } from './balances.js';
import { integrityProblems } from './conservation.js';
import { type LedgerTotals, toBigInt, totalsFromDocument } from './totals.js';

/** One currency's ledger-wide figures from the read models, and whether they add up. */
export interface LedgerIntegrityReport {
  currency: CurrencyCode;
  totals: LedgerTotals;
  /** Sum of the accounts read model's balances, aggregated when asked. */
  balances: bigint;
  /** $all commit position of the last event in the totals; -1 before the first. */
  position: bigint;
  consistent: boolean;
  problems: string[];
}

/** Reads the integrity projection's totals and sums the balances, then checks conservation. */
export async function readLedgerIntegrity(
  models: ReadModels,
  currency: CurrencyCode,
): Promise<LedgerIntegrityReport & { lastAccountPosition: bigint }> {
  const doc = await models.ledgerIntegrity.findOne({ _id: currency }, { useBigInt64: true });
  const { balances, lastPosition } = await sumOfBalances(models.accounts, currency);
  const totals = totalsFromDocument(doc ?? {});
  const problems = integrityProblems(currency, balances, totals);
  return {
    currency,
    totals,
    balances,
    position: doc ? toBigInt(doc.position) : -1n,
    consistent: problems.length === 0,
    problems,
    lastAccountPosition: lastPosition,
  };
}

/**
 * The projector writes each collection of a batch in parallel, so the totals and the balances
 * read a moment apart may straddle a batch and disagree for an instant. A disagreement is checked
 * again once the projector has applied everything the first look saw (`awaitApplied`), a few
 * times, before it is reported: a real one stays, a passing one goes.
 */
export async function checkLedgerIntegrity(
  models: ReadModels,
  currency: CurrencyCode,
  awaitApplied: (position: bigint) => Promise<void>,
  attempts = 3,
): Promise<LedgerIntegrityReport> {
  let report = await readLedgerIntegrity(models, currency);
  for (let attempt = 1; !report.consistent && attempt < attempts; attempt++) {
    await awaitApplied(
      report.position > report.lastAccountPosition ? report.position : report.lastAccountPosition,
    );
    report = await readLedgerIntegrity(models, currency);
  }
  const { lastAccountPosition: _, ...result } = report;
  return result;
}
