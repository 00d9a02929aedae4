import type { TransactionKind } from '../../domain/account/transaction-kinds.js';
import type { Money } from '../../domain/money.js';
import type { OwnerAccountDocument } from '../../read/projections/owners.js';
import { TransactionKindEnum } from '../account/transaction.js';
import { builder } from '../builder.js';
import { MoneyType } from '../shared/money.js';

/** One customer's summary, summed from the rows of the owners read model. */
export interface OwnerSummary {
  id: string;
  accountCount: number;
  transactionCount: number;
  totals: Money[];
  totalsByKind: KindTotal[];
}

export interface KindTotal {
  kind: TransactionKind;
  count: number;
  amount: Money;
}

/**
 * Sums with bigint, then prints: per currency, the balances of the owner's accounts; per
 * currency and kind, how many movements and how much money they moved.
 */
export function summarize(id: string, rows: readonly OwnerAccountDocument[]): OwnerSummary {
  const totals = new Map<string, bigint>();
  const byKind = new Map<
    string,
    { kind: TransactionKind; currency: string; count: number; minor: bigint }
  >();
  let transactionCount = 0;
  for (const row of rows) {
    totals.set(row.currency, (totals.get(row.currency) ?? 0n) + BigInt(row.balance));
    transactionCount += row.transactionCount;
    for (const [kind, total] of Object.entries(row.byKind ?? {})) {
      if (!total) continue;
      const key = `${row.currency}:${kind}`;
      const sum = byKind.get(key) ?? {
        kind: kind as TransactionKind,
        currency: row.currency,
        count: 0,
        minor: 0n,
      };
      sum.count += total.count;
      sum.minor += BigInt(total.amount.toString());
      byKind.set(key, sum);
    }
  }
  const money = (currency: string, minor: bigint) => ({ minor: Number(minor), currency }) as Money;
  return {
    id,
    accountCount: rows.length,
    transactionCount,
    totals: [...totals]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, minor]) => money(currency, minor)),
    totalsByKind: [...byKind.values()]
      .sort((a, b) => a.currency.localeCompare(b.currency) || a.kind.localeCompare(b.kind))
      .map((sum) => ({ kind: sum.kind, count: sum.count, amount: money(sum.currency, sum.minor) })),
  };
}

const KindTotalType = builder.objectRef<KindTotal>('OwnerKindTotal').implement({
  description: 'How much money of one kind moved on the accounts of an owner in one currency.',
  fields: (t) => ({
    kind: t.field({ type: TransactionKindEnum, resolve: (total) => total.kind }),
    count: t.exposeInt('count', { description: 'How many transactions of this kind' }),
    amount: t.field({
      type: MoneyType,
      description: 'Their amounts summed, each counted positive',
      resolve: (total) => total.amount,
    }),
  }),
});

export const OwnerSummaryType = builder.objectRef<OwnerSummary>('OwnerSummary').implement({
  description: "One customer's accounts and money, from the owners read model.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The owner id (a customer’s `sub`)' }),
    accountCount: t.exposeInt('accountCount'),
    transactionCount: t.exposeInt('transactionCount', {
      description: 'Money movements on all of its accounts',
    }),
    totals: t.field({
      type: [MoneyType],
      description: 'Per currency, the sum of the balances of its accounts',
      resolve: (summary) => summary.totals,
    }),
    totalsByKind: t.field({
      type: [KindTotalType],
      description: 'Per currency and transaction kind, how many movements and how much money',
      resolve: (summary) => summary.totalsByKind,
    }),
  }),
});
