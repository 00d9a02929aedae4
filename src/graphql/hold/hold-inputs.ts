import { builder } from '../builder.js';

const IDEMPOTENCY_KEY = 'A retry with the same key returns the first result and appends nothing';

export const PlaceHoldInput = builder.inputType('PlaceHoldInput', {
  fields: (t) => ({
    accountId: t.id({ required: true }),
    amount: t.field({ type: 'Decimal', required: true }),
    reason: t.string({ required: true }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'In the future and within 30 days; by default 7 days from now',
    }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
  }),
});

export const CaptureHoldInput = builder.inputType('CaptureHoldInput', {
  fields: (t) => ({
    holdId: t.id({ required: true }),
    amount: t.field({
      type: 'Decimal',
      description: 'At most the held amount; by default all of it. The rest is released.',
    }),
    description: t.string(),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
  }),
});

export const ReleaseHoldInput = builder.inputType('ReleaseHoldInput', {
  fields: (t) => ({
    holdId: t.id({ required: true }),
    reason: t.string({ required: true }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
  }),
});
