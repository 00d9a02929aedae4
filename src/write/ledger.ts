import type { EventStoreDBClient, Position } from '@eventstore/db-client';
import {
  type AccountCommand,
  type AccountState,
  accountDecider,
  accountStreamName,
} from '../domain/account/index.js';
import { parseMoney } from '../domain/money.js';
import {
  type TransferState,
  transferDecider,
  transferStreamName,
} from '../domain/transfer/index.js';
import type { CommandContext } from './envelope.js';
import { type CommandOutcome, handleCommand } from './handle-command.js';
import { StreamCache } from './stream-cache.js';
import { StreamQueue } from './stream-queue.js';
import { initiationOf, transferStepId } from './transfer-initiation.js';

export type ExistingAccount = Extract<AccountState, { exists: true }>;
export type ExistingTransfer = Extract<TransferState, { exists: true }>;

export interface AccountResult {
  account: ExistingAccount;
  revision: number;
  position: Position;
}

export interface TransferResult {
  transfer: ExistingTransfer;
  position: Position;
}

export interface SendTransferInput {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: string;
  description?: string;
}

/** The write side: commands on account and transfer streams, through @eventstore/db-client. */
export class Ledger {
  readonly #queue = new StreamQueue();
  readonly #accounts = new StreamCache<AccountState>();
  readonly #transfers = new StreamCache<TransferState>();

  constructor(private readonly client: EventStoreDBClient) {}

  async executeOnAccount(command: AccountCommand, context: CommandContext): Promise<AccountResult> {
    const outcome = await this.onAccount(command, context);
    return accountResult(outcome);
  }

  onAccount(
    command: AccountCommand,
    context: CommandContext,
  ): Promise<CommandOutcome<AccountState>> {
    const stream = accountStreamName(command.accountId);
    return this.#queue.run(stream, () =>
      handleCommand(this.client, stream, accountDecider, command, context, this.#accounts),
    );
  }

  onTransfer(
    command: Parameters<typeof transferDecider.decide>[0],
    context: CommandContext,
  ): Promise<CommandOutcome<TransferState>> {
    const stream = transferStreamName(command.transferId);
    return this.#queue.run(stream, () =>
      handleCommand(this.client, stream, transferDecider, command, context, this.#transfers),
    );
  }

  /**
   * Debits the source at once (TransferSent), so insufficient funds is an immediate error, then
   * opens the transfer stream. The process manager credits the target later; if this process
   * dies between the two appends, the process manager opens the transfer stream itself.
   */
  async sendTransfer(input: SendTransferInput, context: CommandContext): Promise<TransferResult> {
    const { transferId, fromAccountId, toAccountId, amount, description } = input;
    const sent = await this.onAccount(
      {
        type: 'SendTransfer',
        accountId: fromAccountId,
        data: { transferId, toAccountId, amount, ...(description ? { description } : {}) },
      },
      context,
    );
    const source = existing(sent.state);
    const { minor } = parseMoney(amount, source.currency, 'amount');
    const initiated = await this.onTransfer(
      initiationOf({
        transferId,
        accountId: fromAccountId,
        toAccountId,
        amount: minor,
        currency: source.currency,
        balanceAfter: 0,
        ...(description ? { description } : {}),
      }),
      {
        ...context,
        commandId: transferStepId(transferId, 'initiate'),
        causationId: context.commandId,
        expectedRevision: undefined,
      },
    );
    if (!initiated.state.exists) throw new Error(`transfer ${transferId} was not initiated`);
    return { transfer: initiated.state, position: initiated.position };
  }
}

function accountResult(outcome: CommandOutcome<AccountState>): AccountResult {
  return {
    account: existing(outcome.state),
    revision: outcome.revision,
    position: outcome.position,
  };
}

function existing(state: AccountState): ExistingAccount {
  if (!state.exists) throw new Error('command succeeded on an account that does not exist');
  return state;
}
