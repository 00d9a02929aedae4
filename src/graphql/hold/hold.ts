import type { HoldRecord } from '../../domain/account/state.js';
import type { HoldStatus } from '../../domain/banking-errors.js';
import type { CurrencyCode } from '../../domain/money.js';
import type { HoldDocument } from '../../read/documents.js';
import { STAFF_READ } from '../auth/rules.js';
import { builder } from '../builder.js';
import { MoneyType } from '../shared/money.js';
import { HoldStatusEnum } from './hold-errors.js';

/** A hold as the API shows it, whether read from the read model or returned by the write side. */
export interface HoldView {
  id: string;
  accountId: string;
  amount: number;
  currency: CurrencyCode;
  capturedAmount?: number | undefined;
  status: HoldStatus;
  reason: string;
  placedAt: Date;
  expiresAt: Date;
  settledAt?: Date | undefined;
  /** Account revision that placed it (read model only): the order of Account.holds. */
  placedRevision?: number;
}

export function holdFromDocument(doc: HoldDocument): HoldView {
  return { ...doc, id: doc._id };
}

export function holdFromRecord(
  hold: HoldRecord,
  account: { id: string; currency: CurrencyCode },
): HoldView {
  return {
    id: hold.id,
    accountId: account.id,
    amount: hold.amount,
    currency: account.currency,
    capturedAmount: hold.capturedAmount,
    status: hold.status,
    reason: hold.reason,
    placedAt: new Date(hold.placedAt),
    expiresAt: new Date(hold.expiresAt),
    settledAt: hold.settledAt === undefined ? undefined : new Date(hold.settledAt),
  };
}

export const HoldType = builder.objectRef<HoldView>('Hold').implement({
  description:
    'Money reserved on an account: captured (it leaves), released or expired (it is available again).',
  // A customer sees the holds of its own accounts only.
  authScopes: (hold) => ({ ...STAFF_READ, accountOwner: hold.accountId }),
  fields: (t) => ({
    id: t.exposeID('id'),
    accountId: t.exposeID('accountId'),
    amount: t.field({
      type: MoneyType,
      description: 'The amount reserved',
      resolve: (hold) => ({ minor: hold.amount, currency: hold.currency }),
    }),
    capturedAmount: t.field({
      type: MoneyType,
      nullable: true,
      description: 'What the capture took; the rest was released with it',
      resolve: (hold) =>
        hold.capturedAmount === undefined
          ? null
          : { minor: hold.capturedAmount, currency: hold.currency },
    }),
    status: t.field({ type: HoldStatusEnum, resolve: (hold) => hold.status }),
    reason: t.exposeString('reason'),
    placedAt: t.field({ type: 'DateTime', resolve: (hold) => hold.placedAt }),
    expiresAt: t.field({ type: 'DateTime', resolve: (hold) => hold.expiresAt }),
    settledAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was captured, released or expired',
      resolve: (hold) => hold.settledAt ?? null,
    }),
  }),
});
