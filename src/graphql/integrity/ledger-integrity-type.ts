import { formatExactMinor } from '../../integrity/format.js';
import type { LedgerIntegrityReport } from '../../integrity/ledger-integrity.js';
import type { TotalField } from '../../integrity/totals.js';
import { builder } from '../builder.js';

const decimal = (report: LedgerIntegrityReport, minor: bigint) =>
  formatExactMinor(minor, report.currency);

export const LedgerIntegrityType = builder.objectRef<LedgerIntegrityReport>('LedgerIntegrity');

LedgerIntegrityType.implement({
  description:
    "One currency's ledger-wide totals, in the currency's minor digits, from a projection kept " +
    'alongside the other read models, and whether they add up with the balances.',
  fields: (t) => {
    const total = (field: TotalField, description: string) =>
      t.field({
        type: 'Decimal',
        description,
        resolve: (report) => decimal(report, report.totals[field]),
      });
    return {
      currency: t.string({ resolve: (report) => report.currency }),
      consistent: t.boolean({
        description:
          'balances + inFlight = deposited − withdrawn − fees + interest − captured + reversedIn − ' +
          'reversedOut, and no total is negative.',
        resolve: (report) => report.consistent,
      }),
      balances: t.field({
        type: 'Decimal',
        description: "The sum of the accounts' balances in this currency, added up when asked.",
        resolve: (report) => decimal(report, report.balances),
      }),
      inFlight: total('inFlight', 'Sent by transfers and neither received nor refunded yet.'),
      deposited: total('deposited', 'All deposits ever made.'),
      withdrawn: total('withdrawn', 'All withdrawals ever made.'),
      fees: total('fees', 'All fees charged.'),
      interest: total('interest', 'All interest paid.'),
      captured: total('captured', 'All holds captured.'),
      reversedIn: total('reversedIn', 'Reversals that credited an account.'),
      reversedOut: total('reversedOut', 'Reversals that debited an account.'),
      position: t.field({
        type: 'Position',
        description: 'The $all position of the last event in the totals ("0" before the first).',
        resolve: (report) => (report.position < 0n ? 0n : report.position),
      }),
    };
  },
});
