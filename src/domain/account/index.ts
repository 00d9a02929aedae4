import type { Decider } from '../decider.js';
import type { AccountCommand } from './commands.js';
import { decideAccount } from './decide.js';
import type { AccountEvent } from './events.js';
import { type AccountState, evolveAccount, initialAccountState } from './state.js';

export type { AccountCommand } from './commands.js';
export type { AccountEvent, AccountEventType } from './events.js';
export type { AccountState, ExistingAccountState, HoldRecord } from './state.js';
export { availableBalance } from './state.js';

export const accountDecider: Decider<AccountState, AccountCommand, AccountEvent> = {
  initialState: initialAccountState,
  evolve: evolveAccount,
  decide: decideAccount,
};

export const accountStreamName = (accountId: string) => `account-${accountId}`;
