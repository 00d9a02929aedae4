import { forbidden } from '../auth/rules.js';
import { builder } from '../builder.js';
import { commandRequest } from '../command-request.js';
import { CaptureHoldInput, PlaceHoldInput, ReleaseHoldInput } from './hold-inputs.js';
import { HoldResultType } from './hold-result.js';

// Tellers and admins place, capture and release holds; each mutation calls one Ledger method.

builder.mutationField('placeHold', (t) =>
  t.field({
    type: HoldResultType,
    description:
      'Reserves money now: the available balance (balance minus active holds) must cover it.',
    args: { input: t.arg({ type: PlaceHoldInput, required: true }) },
    authScopes: { teller: true, admin: true },
    unauthorizedError: forbidden('TELLER', 'placeHold needs the teller role'),
    resolve: (_root, { input }, context) =>
      context.ledger.placeHold(
        {
          accountId: String(input.accountId),
          amount: input.amount,
          reason: input.reason,
          ...(input.expiresAt ? { expiresAt: input.expiresAt.toISOString() } : {}),
        },
        commandRequest(context, input),
      ),
  }),
);

builder.mutationField('captureHold', (t) =>
  t.field({
    type: HoldResultType,
    description:
      'The held money leaves the account: all of it, or `amount` with the rest released at once.',
    args: { input: t.arg({ type: CaptureHoldInput, required: true }) },
    authScopes: { teller: true, admin: true },
    unauthorizedError: forbidden('TELLER', 'captureHold needs the teller role'),
    resolve: (_root, { input }, context) =>
      context.ledger.captureHold(
        {
          holdId: String(input.holdId),
          ...(input.amount ? { amount: input.amount } : {}),
          ...(input.description ? { description: input.description } : {}),
        },
        commandRequest(context, input),
      ),
  }),
);

builder.mutationField('releaseHold', (t) =>
  t.field({
    type: HoldResultType,
    description: 'The held money is available again. Allowed on a frozen account too.',
    args: { input: t.arg({ type: ReleaseHoldInput, required: true }) },
    authScopes: { teller: true, admin: true },
    unauthorizedError: forbidden('TELLER', 'releaseHold needs the teller role'),
    resolve: (_root, { input }, context) =>
      context.ledger.releaseHold(
        { holdId: String(input.holdId), reason: input.reason },
        commandRequest(context, input),
      ),
  }),
);
