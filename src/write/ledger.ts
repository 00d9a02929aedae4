import { randomUUID } from 'node:crypto';
import type { EventStoreDBClient, Position } from '@eventstore/db-client';
import { parseAnnualRate } from '../domain/account/annual-rate.js';
import { findHold } from '../domain/account/holds.js';
import {
  type AccountCommand,
  type AccountEvent,
  type AccountState,
  accountDecider,
  accountStreamName,
} from '../domain/account/index.js';
import type { HoldRecord } from '../domain/account/state.js';
import { parseTransactionId, transactionId } from '../domain/account/transaction-kinds.js';
import { HoldNotFoundError, TransactionNotFoundError } from '../domain/banking-errors.js';
import { ValidationError } from '../domain/errors.js';
import { parseId } from '../domain/ids.js';
import { canonicalDecimal } from '../domain/money.js';
import {
  type TransferCommand,
  type TransferEvent,
  type TransferState,
  transferDecider,
  transferStreamName,
} from '../domain/transfer/index.js';
import { type ClientCommand, prepareClientCommand } from './client-command.js';
import type { CommandContext } from './envelope.js';
import { eventAt } from './event-at.js';
import { type CommandOutcome, type HandleOptions, handleCommand } from './handle-command.js';
import { HoldDirectory } from './hold-directory.js';
import { DEFAULT_CLAIMS_CACHED, IdempotencyKeys } from './idempotency-keys.js';
import { loadStream } from './load-stream.js';
import type { CommandRequest } from './request.js';
import { DecideAgain } from './retry-policy.js';
import type { SnapshotStore } from './snapshots.js';
import {
  DEFAULT_STREAM_CACHE_BOUNDS,
  StreamCache,
  type StreamCacheBounds,
} from './stream-cache.js';
import { StreamQueue } from './stream-queue.js';
import { initiationOf, transferStepId } from './transfer-initiation.js';

export type ExistingAccount = Extract<AccountState, { exists: true }>;
export type ExistingTransfer = Extract<TransferState, { exists: true }>;

export interface AccountResult {
  account: ExistingAccount;
  revision: number;
  position: Position;
  correlationId: string;
}

export interface TransferResult {
  transfer: ExistingTransfer;
  position: Position;
  correlationId: string;
}

export interface OpenAccountInput {
  accountId?: string;
  ownerId: string;
  currency: string;
  initialDeposit?: string;
}
export interface MoneyMovementInput {
  accountId: string;
  amount: string;
  description?: string;
}
export interface AccountStatusInput {
  accountId: string;
  reason: string;
}
export interface TransferMoneyInput {
  fromAccountId: string;
  toAccountId: string;
  amount: string;
  description?: string;
}

export interface PlaceHoldInput {
  accountId: string;
  amount: string;
  reason: string;
  /** ISO-8601; by default 7 days after the request. */
  expiresAt?: string;
}
export interface CaptureHoldInput {
  holdId: string;
  /** By default the whole hold; less captures part and releases the rest. */
  amount?: string;
  description?: string;
}
export interface ReleaseHoldInput {
  holdId: string;
  reason: string;
}
export interface ChargeFeeInput {
  accountId: string;
  amount: string;
  reason: string;
}
export interface SetInterestRateInput {
  accountId: string;
  annualRate: string;
  reason: string;
}
export interface ReverseTransactionInput {
  transactionId: string;
  reason: string;
}

export interface HoldResult extends AccountResult {
  hold: HoldRecord;
}

type Reversed = Extract<AccountEvent, { type: 'TransactionReversed' }>;

export interface ReversalResult extends AccountResult {
  reversal: {
    id: string;
    revision: number;
    data: Reversed['data'];
    occurredAt: string;
    actor: string;
  };
}

type TransferSent = Extract<AccountEvent, { type: 'TransferSent' }>;

/**
 * The write side: one method per client command, plus the account and transfer commands of
 * internal writers (the process manager), all through @eventstore/db-client.
 *
 * A client command goes: validate ids → check its idempotency key ledger-wide → decide on the
 * folded stream → claim the key → append. Ids derived from a key are decided here, never by
 * the caller.
 */
export class Ledger {
  readonly #queue = new StreamQueue();
  readonly #accounts: StreamCache<AccountState>;
  readonly #transfers: StreamCache<TransferState>;
  readonly #keys: IdempotencyKeys;
  readonly #holds: HoldDirectory;

  constructor(
    private readonly client: EventStoreDBClient,
    /** Snapshots of account folds (src/write/snapshots.ts); none: every load folds from the start. */
    accountSnapshots?: SnapshotStore<AccountState>,
    /** The bounds of each fold cache, accounts' and transfers'. */
    cacheBounds: StreamCacheBounds = DEFAULT_STREAM_CACHE_BOUNDS,
    /** Idempotency-key claims remembered (IDEMPOTENCY_CLAIMS_CACHED). */
    claimsCached = DEFAULT_CLAIMS_CACHED,
  ) {
    this.#transfers = new StreamCache<TransferState>(cacheBounds);
    this.#accounts = new StreamCache<AccountState>(cacheBounds, accountSnapshots);
    this.#keys = new IdempotencyKeys(client, claimsCached);
    this.#holds = new HoldDirectory(client);
  }

  openAccount(input: OpenAccountInput, request: CommandRequest): Promise<AccountResult> {
    const ownerId = parseId(input.ownerId, 'ownerId');
    const explicitId =
      input.accountId === undefined ? undefined : parseId(input.accountId, 'accountId');
    const prepared = prepareClientCommand(
      'openAccount',
      {
        accountId: explicitId,
        ownerId,
        currency: input.currency,
        initialDeposit: input.initialDeposit && canonicalDecimal(input.initialDeposit),
      },
      request,
    );
    const accountId =
      explicitId ?? (prepared.keyed ? prepared.derivedId('account-id') : randomUUID());
    return this.#accountCommand(prepared, {
      type: 'OpenAccount',
      accountId,
      data: {
        ownerId,
        currency: input.currency,
        ...(input.initialDeposit === undefined ? {} : { initialDeposit: input.initialDeposit }),
      },
    });
  }

  depositMoney(input: MoneyMovementInput, request: CommandRequest): Promise<AccountResult> {
    return this.#moneyMovement('depositMoney', 'DepositMoney', input, request);
  }

  withdrawMoney(input: MoneyMovementInput, request: CommandRequest): Promise<AccountResult> {
    return this.#moneyMovement('withdrawMoney', 'WithdrawMoney', input, request);
  }

  freezeAccount(input: AccountStatusInput, request: CommandRequest): Promise<AccountResult> {
    return this.#statusChange('freezeAccount', 'FreezeAccount', input, request);
  }

  unfreezeAccount(input: AccountStatusInput, request: CommandRequest): Promise<AccountResult> {
    return this.#statusChange('unfreezeAccount', 'UnfreezeAccount', input, request);
  }

  closeAccount(input: AccountStatusInput, request: CommandRequest): Promise<AccountResult> {
    return this.#statusChange('closeAccount', 'CloseAccount', input, request);
  }

  /**
   * Debits the source at once (TransferSent), so insufficient funds is an immediate error, then
   * opens the transfer stream from that very event. The process manager credits the target
   * later; if this process dies between the two appends, it opens the transfer stream itself.
   *
   * The transfer id derives from the source and the request, so no two sources can ever share
   * one; and a key reused for another request is refused before anything is debited.
   */
  async transferMoney(input: TransferMoneyInput, request: CommandRequest): Promise<TransferResult> {
    const fromAccountId = parseId(input.fromAccountId, 'fromAccountId');
    const toAccountId = parseId(input.toAccountId, 'toAccountId');
    const prepared = prepareClientCommand(
      'transferMoney',
      {
        fromAccountId,
        toAccountId,
        amount: canonicalDecimal(input.amount),
        description: input.description,
      },
      request,
    );
    const transferId = prepared.keyed
      ? prepared.derivedId(`transfer-id:${fromAccountId}`)
      : randomUUID();
    const { amount, description } = input;
    const sent = await this.#clientCommandOnAccount(prepared, {
      type: 'SendTransfer',
      accountId: fromAccountId,
      data: { transferId, toAccountId, amount, ...(description ? { description } : {}) },
    });
    const debit = sent.events.find((e): e is TransferSent => e.type === 'TransferSent');
    if (!debit) throw new Error(`transfer ${transferId}: the source recorded no TransferSent`);
    // The transfer's stream is new unless this request ran before: not read first (one round
    // trip less per transfer); a retry's append conflicts and is decided again on the stream.
    const initiated = await this.onTransfer(
      initiationOf(debit.data),
      {
        ...prepared.context,
        commandId: transferStepId(transferId, 'initiate'),
        causationId: prepared.context.commandId,
        expectedRevision: undefined,
        inputHash: undefined,
      },
      { presumeNew: true },
    );
    if (!initiated.state.exists) throw new Error(`transfer ${transferId} was not initiated`);
    return {
      transfer: initiated.state,
      position: initiated.position,
      correlationId: request.correlationId,
    };
  }

  /**
   * Reserves money on an account. The hold id derives from the key and the account, so a retry
   * lands on the same hold. Once the decision reserves money, the hold's account is recorded
   * just before the append (like a key's claim), so a capture right after finds it without
   * waiting for the read models, and a refused hold records nothing (hold-directory.ts).
   */
  async placeHold(input: PlaceHoldInput, request: CommandRequest): Promise<HoldResult> {
    const accountId = parseId(input.accountId, 'accountId');
    const { amount, reason, expiresAt } = input;
    const prepared = prepareClientCommand(
      'placeHold',
      { accountId, amount: canonicalDecimal(amount), reason, expiresAt },
      request,
    );
    const holdId = prepared.keyed ? prepared.derivedId(`hold-id:${accountId}`) : randomUUID();
    const { context } = prepared;
    const record = () =>
      this.#holds.record(holdId, accountId, {
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: context.causationId,
        commandId: context.commandId,
        occurredAt: context.occurredAt,
      });
    return this.#holdCommand(prepared, holdId, record, {
      type: 'PlaceHold',
      accountId,
      data: {
        holdId,
        amount,
        reason,
        at: request.occurredAt,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      },
    });
  }

  async captureHold(input: CaptureHoldInput, request: CommandRequest): Promise<HoldResult> {
    const holdId = parseId(input.holdId, 'holdId');
    const { amount, description } = input;
    const prepared = prepareClientCommand(
      'captureHold',
      { holdId, amount: amount === undefined ? undefined : canonicalDecimal(amount), description },
      request,
    );
    return this.#holdCommand(prepared, holdId, undefined, {
      type: 'CaptureHold',
      accountId: await this.#accountOfHold(holdId),
      data: {
        holdId,
        at: request.occurredAt,
        ...(amount === undefined ? {} : { amount }),
        ...(description ? { description } : {}),
      },
    });
  }

  async releaseHold(input: ReleaseHoldInput, request: CommandRequest): Promise<HoldResult> {
    const holdId = parseId(input.holdId, 'holdId');
    const prepared = prepareClientCommand('releaseHold', { holdId, reason: input.reason }, request);
    return this.#holdCommand(prepared, holdId, undefined, {
      type: 'ReleaseHold',
      accountId: await this.#accountOfHold(holdId),
      data: { holdId, reason: input.reason, at: request.occurredAt },
    });
  }

  chargeFee(input: ChargeFeeInput, request: CommandRequest): Promise<AccountResult> {
    const accountId = parseId(input.accountId, 'accountId');
    const { amount, reason } = input;
    const prepared = prepareClientCommand(
      'chargeFee',
      { accountId, amount: canonicalDecimal(amount), reason },
      request,
    );
    return this.#accountCommand(prepared, {
      type: 'ChargeFee',
      accountId,
      data: { amount, reason },
    });
  }

  setInterestRate(input: SetInterestRateInput, request: CommandRequest): Promise<AccountResult> {
    const accountId = parseId(input.accountId, 'accountId');
    const { annualRate, reason } = input;
    const prepared = prepareClientCommand(
      'setInterestRate',
      { accountId, annualRate: canonicalRate(annualRate), reason },
      request,
    );
    return this.#accountCommand(prepared, {
      type: 'SetInterestRate',
      accountId,
      data: { annualRate, reason },
    });
  }

  /**
   * Appends the compensating movement of a transaction. The transaction id names the account
   * and the revision of its event, which is read from the stream (authoritative) and handed to
   * the decider with the time it occurred; the decider judges the window against the request's
   * time.
   */
  async reverseTransaction(
    input: ReverseTransactionInput,
    request: CommandRequest,
  ): Promise<ReversalResult> {
    const { accountId, revision } = parseTransactionId(input.transactionId);
    const id = transactionId(accountId, revision);
    const prepared = prepareClientCommand(
      'reverseTransaction',
      { transactionId: id, reason: input.reason },
      request,
    );
    const stream = accountStreamName(accountId);
    const original = await eventAt(this.client, stream, revision);
    if (!original) throw new TransactionNotFoundError(id);
    const { actor: _, ...event } = original;
    const result = await this.#accountCommand(prepared, {
      type: 'ReverseTransaction',
      accountId,
      data: { transactionId: id, original: event, reason: input.reason, at: request.occurredAt },
    });
    const reversed = result.events.find((e): e is Reversed => e.type === 'TransactionReversed');
    if (!reversed) throw new Error(`reversal of ${id} recorded no TransactionReversed`);
    // A retry answers the first reversal, with the time and actor it was recorded with.
    const recorded = result.replayed
      ? await eventAt(this.client, stream, result.revision)
      : undefined;
    return {
      ...result,
      reversal: {
        id: transactionId(accountId, result.revision),
        revision: result.revision,
        data: reversed.data,
        occurredAt: recorded?.occurredAt ?? request.occurredAt,
        actor: recorded?.actor ?? request.actor,
      },
    };
  }

  /** Who owns an account, from the write side (authoritative); undefined when it does not exist. */
  async accountOwner(accountId: string): Promise<string | undefined> {
    const stream = accountStreamName(parseId(accountId, 'accountId'));
    const loaded = await this.#queue.run(stream, () =>
      loadStream(this.client, stream, accountDecider, '', this.#accounts, { trustCache: true }),
    );
    // An owner never changes, so a cached fold answers as well as a fresh one.
    return loaded.state.exists ? loaded.state.ownerId : undefined;
  }

  /** A command on one account stream, for internal writers that name their own command ids. */
  onAccount(
    command: AccountCommand,
    context: CommandContext,
    options?: HandleOptions,
  ): Promise<CommandOutcome<AccountState, AccountEvent>> {
    const stream = accountStreamName(command.accountId);
    return this.#queue.run(stream, () =>
      handleCommand(this.client, stream, accountDecider, command, context, this.#accounts, options),
    );
  }

  /** A command on one transfer stream, for internal writers that name their own command ids. */
  onTransfer(
    command: TransferCommand,
    context: CommandContext,
    options?: HandleOptions,
  ): Promise<CommandOutcome<TransferState, TransferEvent>> {
    const stream = transferStreamName(command.transferId);
    return this.#queue.run(stream, () =>
      handleCommand(
        this.client,
        stream,
        transferDecider,
        command,
        context,
        this.#transfers,
        options,
      ),
    );
  }

  #moneyMovement(
    mutation: 'depositMoney' | 'withdrawMoney',
    type: 'DepositMoney' | 'WithdrawMoney',
    input: MoneyMovementInput,
    request: CommandRequest,
  ): Promise<AccountResult> {
    const accountId = parseId(input.accountId, 'accountId');
    const { amount, description } = input;
    const prepared = prepareClientCommand(
      mutation,
      { accountId, amount: canonicalDecimal(amount), description },
      request,
    );
    return this.#accountCommand(prepared, {
      type,
      accountId,
      data: { amount, ...(description ? { description } : {}) },
    });
  }

  #statusChange(
    mutation: 'freezeAccount' | 'unfreezeAccount' | 'closeAccount',
    type: 'FreezeAccount' | 'UnfreezeAccount' | 'CloseAccount',
    input: AccountStatusInput,
    request: CommandRequest,
  ): Promise<AccountResult> {
    const accountId = parseId(input.accountId, 'accountId');
    const prepared = prepareClientCommand(mutation, { accountId, reason: input.reason }, request);
    return this.#accountCommand(prepared, { type, accountId, data: { reason: input.reason } });
  }

  async #accountCommand(
    prepared: ClientCommand,
    command: AccountCommand,
    beforeAppend?: () => Promise<void>,
  ): Promise<
    AccountResult & Pick<CommandOutcome<AccountState, AccountEvent>, 'events' | 'replayed'>
  > {
    const outcome = await this.#clientCommandOnAccount(prepared, command, beforeAppend);
    if (!outcome.state.exists)
      throw new Error('command succeeded on an account that does not exist');
    return {
      account: outcome.state,
      revision: outcome.revision,
      position: outcome.position,
      correlationId: prepared.context.correlationId,
      events: outcome.events,
      replayed: outcome.replayed,
    };
  }

  async #holdCommand(
    prepared: ClientCommand,
    holdId: string,
    beforeAppend: (() => Promise<void>) | undefined,
    command: AccountCommand,
  ): Promise<HoldResult> {
    const {
      events: _,
      replayed: __,
      ...result
    } = await this.#accountCommand(prepared, command, beforeAppend);
    const hold = findHold(result.account, holdId);
    if (!hold) throw new Error(`hold ${holdId} is missing after its command`);
    return { ...result, hold };
  }

  async #accountOfHold(holdId: string): Promise<string> {
    const accountId = await this.#holds.accountOf(holdId);
    if (!accountId) throw new HoldNotFoundError(holdId);
    return accountId;
  }

  /**
   * Checks the key before deciding, and claims it only once there is something to append;
   * `beforeAppend` (a hold's record) runs then too, after the claim.
   */
  async #clientCommandOnAccount(
    prepared: ClientCommand,
    command: AccountCommand,
    beforeAppend?: () => Promise<void>,
  ) {
    const { context, claim } = prepared;
    if (!claim && !beforeAppend) return this.onAccount(command, context);
    // A key still free when checked means no event of this request is in any stream, so a
    // fold cache that forgot old commands need not search the stream whole for it, unless
    // the claim is found taken when this request comes to make it (a concurrent retry).
    let unclaimed = claim ? !(await this.#keys.check(context.commandId, claim)) : false;
    let claimedHere = false;
    return this.onAccount(command, context, {
      absence: () => ({ nowhere: unclaimed }),
      beforeAppend: async () => {
        if (claim && !claimedHere) {
          claimedHere = await this.#keys.claim(context.commandId, claim);
          if (!claimedHere && unclaimed) {
            unclaimed = false;
            throw new DecideAgain(accountStreamName(command.accountId));
          }
        }
        await beforeAppend?.();
      },
    });
  }
}

/** A rate as it should be compared with a retry: "0.0350" and "0.035" are one rate. */
function canonicalRate(text: string): string {
  try {
    return parseAnnualRate(text, 'annualRate').canonical;
  } catch (error) {
    if (error instanceof ValidationError) return text;
    throw error;
  }
}
