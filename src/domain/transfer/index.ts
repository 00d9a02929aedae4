import type { Decider } from '../decider.js';
import type { TransferCommand } from './commands.js';
import { decideTransfer } from './decide.js';
import type { TransferEvent } from './events.js';
import { evolveTransfer, initialTransferState, type TransferState } from './state.js';

export type { TransferCommand } from './commands.js';
export type { TransferEvent } from './events.js';
export type { TransferState, TransferStatus } from './state.js';

export const transferDecider: Decider<TransferState, TransferCommand, TransferEvent> = {
  initialState: initialTransferState,
  evolve: evolveTransfer,
  decide: decideTransfer,
};

export const transferStreamName = (transferId: string) => `transfer-${transferId}`;
