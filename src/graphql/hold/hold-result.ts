import { HoldNotActiveError, HoldNotFoundError } from '../../domain/banking-errors.js';
import {
  AccountNotFoundError,
  AccountNotOpenError,
  InsufficientFundsError,
  ValidationError,
} from '../../domain/errors.js';
import type { HoldResult } from '../../write/ledger.js';
import { AccountStateType } from '../account/account-result.js';
import { ForbiddenError } from '../auth/forbidden-error.js';
import { builder } from '../builder.js';
import { HoldType, holdFromRecord } from './hold.js';
import './hold-errors.js';
import { CommandReceiptInterface } from '../shared/command-receipt.js';

export const HoldSuccessType = builder.objectRef<HoldResult>('HoldSuccess').implement({
  interfaces: [CommandReceiptInterface],
  fields: (t) => ({
    hold: t.field({
      type: HoldType,
      resolve: (result) => holdFromRecord(result.hold, result.account),
    }),
    account: t.field({ type: AccountStateType, resolve: (result) => result }),
  }),
});

/** What placeHold, captureHold and releaseHold return: the hold, or why nothing was written. */
export const HoldResultType = builder.errorUnion('HoldResult', {
  types: [
    HoldSuccessType,
    ValidationError,
    AccountNotFoundError,
    AccountNotOpenError,
    InsufficientFundsError,
    HoldNotFoundError,
    HoldNotActiveError,
    ForbiddenError,
  ],
  resolveType: () => HoldSuccessType,
});
