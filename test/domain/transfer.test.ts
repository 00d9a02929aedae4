import { describe, it } from 'vitest';
import type { CurrencyCode } from '../../src/domain/money.js';
import { type TransferEvent, transferDecider } from '../../src/domain/transfer/index.js';
import { deciderSpecification } from '../support/decider-specification.js';

const spec = deciderSpecification(transferDecider);
const transferId = '9a0c1c8e-1111-4c55-9a86-3b9fd7c1a001';
const initiation = {
  transferId,
  fromAccountId: '9a0c1c8e-2222-4c55-9a86-3b9fd7c1a001',
  toAccountId: '9a0c1c8e-3333-4c55-9a86-3b9fd7c1a001',
  amount: 100,
  currency: 'USD' as CurrencyCode,
};
const initiated: TransferEvent = { type: 'TransferInitiated', data: initiation };
const completed: TransferEvent = { type: 'TransferCompleted', data: { transferId } };
const rejected: TransferEvent = {
  type: 'TransferRejected',
  data: { transferId, reason: 'frozen' },
};

describe('transfer decider', () => {
  it('is initiated once; initiating again is a no-op', () => {
    spec
      .given([])
      .when({ type: 'InitiateTransfer', transferId, data: initiation })
      .thenEmits([initiated]);
    spec
      .given([initiated])
      .when({ type: 'InitiateTransfer', transferId, data: initiation })
      .thenNothingHappens();
  });

  it('refuses to initiate an existing transfer with other accounts or amount', () => {
    spec
      .given([initiated])
      .when({
        type: 'InitiateTransfer',
        transferId,
        data: { ...initiation, fromAccountId: '9a0c1c8e-4444-4c55-9a86-3b9fd7c1a001' },
      })
      .thenThrows(Error);
    spec
      .given([initiated])
      .when({ type: 'InitiateTransfer', transferId, data: { ...initiation, amount: 101 } })
      .thenThrows(Error);
  });

  it('settles exactly once: completing twice is a no-op', () => {
    spec.given([initiated]).when({ type: 'CompleteTransfer', transferId }).thenEmits([completed]);
    spec
      .given([initiated, completed])
      .when({ type: 'CompleteTransfer', transferId })
      .thenNothingHappens();
  });

  it('never flips a settled transfer the other way', () => {
    spec
      .given([initiated, completed])
      .when({ type: 'RejectTransfer', transferId, data: { reason: 'late' } })
      .thenThrows(Error);
    spec
      .given([initiated, rejected])
      .when({ type: 'CompleteTransfer', transferId })
      .thenThrows(Error);
  });

  it('records the reason of a rejection', () => {
    spec
      .given([initiated])
      .when({ type: 'RejectTransfer', transferId, data: { reason: 'frozen' } })
      .thenEmits([rejected]);
  });
});
