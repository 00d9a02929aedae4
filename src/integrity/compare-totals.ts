import type { Position } from '@eventstore/db-client';
import type { CurrencyCode } from '../domain/money.js';
import type { AccountDocument, LedgerIntegrityDocument } from '../read/documents.js';
import { integrityProblems } from './conservation.js';
import { type Difference, mismatch } from './differences.js';
import { formatExactMinor } from './format.js';
import type { LedgerFold } from './ledger-fold.js';
import { comparePositions } from './positions.js';
import {
  type LedgerTotals,
  TOTAL_FIELDS,
  toBigInt,
  totalsFromDocument,
  zeroTotals,
} from './totals.js';

export function integrityPosition(doc: LedgerIntegrityDocument): Position {
  return { commit: toBigInt(doc.position), prepare: toBigInt(doc.prepare) };
}

/** The integrity projection's totals against the totals of the folded events. */
export function compareTotals(
  fold: LedgerFold,
  docs: readonly LedgerIntegrityDocument[],
  head: Position | undefined,
): Difference[] {
  const differences: Difference[] = [];
  const byCurrency = new Map(docs.map((doc) => [doc._id as string, doc]));
  const currencies = new Set<string>([...fold.totalsAtHead.keys(), ...byCurrency.keys()]);
  for (const currency of currencies) {
    const subject = `ledger ${currency}`;
    const doc = byCurrency.get(currency);
    let expected = fold.totalsAtHead.get(currency as CurrencyCode) ?? zeroTotals();
    if (doc && head && comparePositions(integrityPosition(doc), head) > 0) {
      const atTarget = fold.totalsAtTarget.get(currency);
      if (!atTarget) {
        differences.push(
          mismatch(subject, 'position', 'no money event there', String(toBigInt(doc.position))),
        );
        continue;
      }
      expected = atTarget;
    }
    const actual = totalsFromDocument(doc ?? {});
    for (const field of TOTAL_FIELDS) {
      if (expected[field] !== actual[field]) {
        const f = (minor: bigint) => formatExactMinor(minor, currency as CurrencyCode);
        differences.push(mismatch(subject, field, f(expected[field]), f(actual[field])));
      }
    }
  }
  return differences;
}

/** Conservation over the folded events: the balances at the head against the totals there. */
export function eventStoreConservation(fold: LedgerFold): Difference[] {
  const balances = new Map<CurrencyCode, bigint>();
  for (const stream of fold.accounts.values()) {
    const state = (stream.atHead ?? stream.current).state;
    if (state.exists) {
      balances.set(state.currency, (balances.get(state.currency) ?? 0n) + BigInt(state.balance));
    }
  }
  return conservation(balances, fold.totalsAtHead, 'conservation in the event store');
}

/**
 * Conservation over the read models: the accounts' balances against the integrity projection.
 * Only meaningful when both stand at the same point, so the caller checks it when no document
 * was written after the head.
 */
export function readModelConservation(
  accounts: readonly AccountDocument[],
  integrity: readonly LedgerIntegrityDocument[],
): Difference[] {
  const balances = new Map<CurrencyCode, bigint>();
  for (const doc of accounts) {
    // A balance that is no whole number is reported with its account; it cannot be summed.
    if (!Number.isInteger(doc.balance)) continue;
    balances.set(doc.currency, (balances.get(doc.currency) ?? 0n) + BigInt(doc.balance));
  }
  const totals = new Map(integrity.map((doc) => [doc._id, totalsFromDocument(doc)]));
  return conservation(balances, totals, 'conservation in the read models');
}

function conservation(
  balances: ReadonlyMap<CurrencyCode, bigint>,
  totals: ReadonlyMap<CurrencyCode, LedgerTotals>,
  field: string,
): Difference[] {
  const currencies = new Set([...balances.keys(), ...totals.keys()]);
  return [...currencies].flatMap((currency) =>
    integrityProblems(
      currency,
      balances.get(currency) ?? 0n,
      totals.get(currency) ?? zeroTotals(),
    ).map((detail) => ({ subject: `ledger ${currency}`, field, detail })),
  );
}
