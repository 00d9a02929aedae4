import {
  AlreadyReversedError,
  HoldNotActiveError,
  HoldNotFoundError,
  ReversalWindowClosedError,
  TransactionNotFoundError,
} from '../../domain/banking-errors.js';
import { builder } from '../builder.js';
import { ErrorInterface } from '../shared/errors.js';

export const HoldStatusEnum = builder.enumType('HoldStatus', {
  values: ['ACTIVE', 'CAPTURED', 'RELEASED', 'EXPIRED'] as const,
});

builder.objectType(HoldNotFoundError, {
  name: 'HoldNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ holdId: t.exposeID('holdId') }),
});

builder.objectType(HoldNotActiveError, {
  name: 'HoldNotActiveError',
  description: 'The hold was already captured, released or expired; `status` says which.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    holdId: t.exposeID('holdId'),
    status: t.field({ type: HoldStatusEnum, resolve: (error) => error.status }),
  }),
});

builder.objectType(TransactionNotFoundError, {
  name: 'TransactionNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ transactionId: t.exposeID('transactionId') }),
});

builder.objectType(ReversalWindowClosedError, {
  name: 'ReversalWindowClosedError',
  description:
    'Too late: a transaction can be reversed through the 30th UTC day after the day it occurred.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    transactionId: t.exposeID('transactionId'),
    originalOccurredAt: t.field({ type: 'DateTime', resolve: (error) => error.originalOccurredAt }),
    windowDays: t.exposeInt('windowDays'),
  }),
});

builder.objectType(AlreadyReversedError, {
  name: 'AlreadyReversedError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    transactionId: t.exposeID('transactionId'),
    reversalId: t.exposeID('reversalId', { description: 'The REVERSAL transaction that undid it' }),
  }),
});
