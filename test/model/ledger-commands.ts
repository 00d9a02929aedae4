import { randomUUID } from 'node:crypto';
import type fc from 'fast-check';
import { MongoClient } from 'mongodb';
import { expect, inject } from 'vitest';
import type { Tally } from '../../src/app.js';
import type { CurrencyCode } from '../../src/domain/money.js';
import { PROCESS_MANAGER_CHECKPOINT } from '../../src/process/transfer-process-manager.js';
import {
  CLOSE,
  DEPOSIT,
  FREEZE,
  OPEN_ACCOUNT,
  TRANSFER,
  TRANSFER_QUERY,
  UNFREEZE,
  WITHDRAW,
} from '../support/operations.js';
import { lastTransferSent, waitForSettlement } from '../support/settlement.js';
import { graphql, type Json, startTestTally } from '../support/test-tally.js';
import {
  add,
  available,
  decimal,
  held,
  type LedgerModel,
  type ModelAccount,
  pick,
  shortDecimal,
} from './ledger-model.js';
import { slowSubscriber, Watcher } from './live-watchers.js';
import type { ModelClock } from './model-clock.js';

/** The system under test: a Tally on the stand-ins, driven only through its API. */
export interface RealLedger {
  tally: Tally;
  /** Dashboards watching balances, which must miss nothing whatever slow ones do. */
  watchers: Watcher[];
  /** Subscribers that never read. */
  slow: Array<{ close(): void }>;
  /** Position of the last TransferSent: the process manager's progress only passes those. */
  lastSent: bigint;
  /** The time Tally is given; only AdvanceTime moves it (banking-commands.ts). */
  clock: ModelClock;
}

type Command = fc.AsyncCommand<LedgerModel, RealLedger>;

async function mutate(real: RealLedger, document: string, input: Record<string, unknown>) {
  const result = await graphql(real.tally, document, { input });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return Object.values(result.data ?? {})[0] as Json;
}

function expectAccount(payload: Json, account: ModelAccount) {
  expect(payload.__typename, JSON.stringify(payload)).toBe('AccountCommandSuccess');
  expect(payload.account.balance.amount).toBe(decimal(account.balance, account.currency));
  expect(payload.account.status).toBe(account.status);
}

export class OpenAccount implements Command {
  constructor(
    readonly currency: CurrencyCode,
    readonly initialDeposit: number,
  ) {}
  check = () => true;
  async run(model: LedgerModel, real: RealLedger) {
    const payload = await mutate(real, OPEN_ACCOUNT, {
      ownerId: randomUUID(),
      currency: this.currency,
      ...(this.initialDeposit > 0
        ? { initialDeposit: decimal(this.initialDeposit, this.currency) }
        : {}),
    });
    expect(payload.__typename, JSON.stringify(payload)).toBe('AccountCommandSuccess');
    const account: ModelAccount = {
      id: payload.account.id,
      currency: this.currency,
      balance: this.initialDeposit,
      status: 'OPEN',
    };
    model.accounts.push(account);
    add(model.deposited, this.currency, this.initialDeposit);
    if (this.initialDeposit > 0) {
      model.reversible.push({
        id: `${account.id}:1`,
        accountId: account.id,
        kind: 'DEPOSIT',
        amount: this.initialDeposit,
        at: real.clock.now.getTime(),
        reversed: false,
      });
    }
    expectAccount(payload, account);
  }
  toString = () => `open(${this.currency}, ${this.initialDeposit})`;
}

export class Deposit implements Command {
  constructor(
    readonly account: number,
    readonly amount: number,
    readonly keyed: boolean,
  ) {}
  check = (model: Readonly<LedgerModel>) => model.accounts.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const account = pick(model.accounts, this.account)!;
    const amount = decimal(this.amount, account.currency);
    const key = this.keyed ? randomUUID() : undefined;
    const payload = await mutate(real, DEPOSIT, {
      accountId: account.id,
      amount,
      ...(key ? { idempotencyKey: key } : {}),
    });
    if (account.status !== 'OPEN') {
      expect(payload.__typename).toBe('AccountNotOpenError');
      return;
    }
    account.balance += this.amount;
    add(model.deposited, account.currency, this.amount);
    model.reversible.push({
      id: `${account.id}:${payload.account.revision}`,
      accountId: account.id,
      kind: 'DEPOSIT',
      amount: this.amount,
      at: real.clock.now.getTime(),
      reversed: false,
    });
    if (key) model.keyed.push({ key, mutation: 'depositMoney', accountId: account.id, amount });
    expectAccount(payload, account);
  }
  toString = () => `deposit(#${this.account}, ${this.amount}${this.keyed ? ', keyed' : ''})`;
}

export class Withdraw implements Command {
  constructor(
    readonly account: number,
    readonly amount: number,
  ) {}
  check = (model: Readonly<LedgerModel>) => model.accounts.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const account = pick(model.accounts, this.account)!;
    const payload = await mutate(real, WITHDRAW, {
      accountId: account.id,
      amount: decimal(this.amount, account.currency),
    });
    if (account.status !== 'OPEN') {
      expect(payload.__typename).toBe('AccountNotOpenError');
    } else if (this.amount > available(model, account)) {
      expect(payload.__typename).toBe('InsufficientFundsError');
    } else {
      account.balance -= this.amount;
      add(model.withdrawn, account.currency, this.amount);
      model.reversible.push({
        id: `${account.id}:${payload.account.revision}`,
        accountId: account.id,
        kind: 'WITHDRAWAL',
        amount: this.amount,
        at: real.clock.now.getTime(),
        reversed: false,
      });
      expectAccount(payload, account);
    }
  }
  toString = () => `withdraw(#${this.account}, ${this.amount})`;
}

export type TransferTarget = 'existing' | 'missing' | 'same';

/** A transfer, then a wait until the process manager has settled it, so the model stays exact. */
export class Transfer implements Command {
  constructor(
    readonly from: number,
    readonly target: TransferTarget,
    readonly to: number,
    readonly amount: number,
  ) {}
  check = (model: Readonly<LedgerModel>) => model.accounts.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const source = pick(model.accounts, this.from)!;
    const target =
      this.target === 'existing'
        ? pick(model.accounts, this.to)
        : this.target === 'same'
          ? source
          : undefined;
    const payload = await mutate(real, TRANSFER, {
      fromAccountId: source.id,
      toAccountId: target?.id ?? randomUUID(),
      amount: decimal(this.amount, source.currency),
    });
    if (source.status !== 'OPEN') {
      expect(payload.__typename).toBe('AccountNotOpenError');
      return;
    }
    if (target === source) {
      expect(payload).toMatchObject({ __typename: 'ValidationError', field: 'toAccountId' });
      return;
    }
    if (this.amount > available(model, source)) {
      expect(payload.__typename).toBe('InsufficientFundsError');
      return;
    }
    expect(payload.__typename, JSON.stringify(payload)).toBe('TransferSuccess');
    const accepted = target?.status === 'OPEN' && target.currency === source.currency;
    model.transfers.set(payload.transfer.id, accepted ? 'COMPLETED' : 'REFUNDED');
    if (accepted) {
      source.balance -= this.amount;
      target.balance += this.amount;
    }
    real.lastSent = await lastTransferSent(real.tally, source.id);
    await waitForSettlement(real.tally, real.lastSent);
    const settled = await graphql(real.tally, TRANSFER_QUERY, { id: payload.transfer.id });
    expect(settled.data?.transfer.status).toBe(model.transfers.get(payload.transfer.id));
  }
  toString = () => `transfer(#${this.from} -> ${this.target} #${this.to}, ${this.amount})`;
}

export class Freeze implements Command {
  constructor(readonly account: number) {}
  check = (model: Readonly<LedgerModel>) => model.accounts.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const account = pick(model.accounts, this.account)!;
    const payload = await mutate(real, FREEZE, { accountId: account.id, reason: 'model' });
    if (account.status !== 'OPEN') {
      expect(payload.__typename).toBe('AccountNotOpenError');
      return;
    }
    account.status = 'FROZEN';
    expectAccount(payload, account);
  }
  toString = () => `freeze(#${this.account})`;
}

export class Unfreeze implements Command {
  constructor(readonly account: number) {}
  check = (model: Readonly<LedgerModel>) => model.accounts.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const account = pick(model.accounts, this.account)!;
    const payload = await mutate(real, UNFREEZE, { accountId: account.id, reason: 'model' });
    if (account.status !== 'FROZEN') {
      expect(payload.__typename).toBe('ValidationError');
      return;
    }
    account.status = 'OPEN';
    expectAccount(payload, account);
  }
  toString = () => `unfreeze(#${this.account})`;
}

export class Close implements Command {
  constructor(readonly account: number) {}
  check = (model: Readonly<LedgerModel>) => model.accounts.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const account = pick(model.accounts, this.account)!;
    const payload = await mutate(real, CLOSE, { accountId: account.id, reason: 'model' });
    if (account.status === 'CLOSED') {
      expect(payload.__typename).toBe('AccountNotOpenError');
    } else if (account.balance !== 0 || held(model, account.id) > 0) {
      expect(payload).toMatchObject({ __typename: 'ValidationError', field: 'accountId' });
    } else {
      account.status = 'CLOSED';
      expectAccount(payload, account);
    }
  }
  toString = () => `close(#${this.account})`;
}

export type KeyReuse = 'same-input' | 'short-amount' | 'other-account' | 'other-amount';

/**
 * Sends an earlier keyed deposit again: as a retry (same input, or the amount spelled with
 * fewer digits), which changes nothing, or with other input, which is refused and writes nothing.
 */
export class ReuseKey implements Command {
  constructor(
    readonly request: number,
    readonly reuse: KeyReuse,
    readonly other: number,
  ) {}
  check = (model: Readonly<LedgerModel>) => model.keyed.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const original = pick(model.keyed, this.request)!;
    const account = model.accounts.find((a) => a.id === original.accountId)!;
    const other = pick(
      model.accounts.filter((a) => a.id !== account.id),
      this.other,
    );
    const minor = Number(original.amount.replace('.', ''));
    const input = {
      'same-input': { accountId: account.id, amount: original.amount },
      'short-amount': { accountId: account.id, amount: shortDecimal(minor, account.currency) },
      'other-account': { accountId: other?.id ?? randomUUID(), amount: original.amount },
      'other-amount': {
        accountId: account.id,
        amount: decimal(minor + 1, account.currency),
      },
    }[this.reuse];
    const payload = await mutate(real, DEPOSIT, { ...input, idempotencyKey: original.key });
    if (this.reuse === 'same-input' || this.reuse === 'short-amount') {
      // A retry returns the first result: the balance right after the first deposit.
      expect(payload.__typename, JSON.stringify(payload)).toBe('AccountCommandSuccess');
      expect(payload.account.id).toBe(account.id);
    } else {
      expect(payload).toMatchObject({ __typename: 'ValidationError', field: 'idempotencyKey' });
    }
  }
  toString = () => `reuseKey(#${this.request}, ${this.reuse}, #${this.other})`;
}

/**
 * Tally stops and starts again on the same stores, so its projector and process manager resume
 * from their checkpoints; with `rewind`, the process manager's checkpoint had not reached the
 * disk, so it replays every transfer from the start of $all. Watchers reconnect.
 */
export class RestartTally implements Command {
  constructor(readonly rewind: boolean) {}
  check = () => true;
  async run(_model: LedgerModel, real: RealLedger) {
    const mongoDb = real.tally.models.checkpoints.dbName;
    for (const subscriber of [...real.watchers, ...real.slow]) subscriber.close();
    await real.tally.close();
    if (this.rewind) {
      const mongo = await new MongoClient(inject('mongoUrl')).connect();
      await mongo
        .db(mongoDb)
        .collection<{ _id: string }>('checkpoints')
        .deleteOne({ _id: PROCESS_MANAGER_CHECKPOINT });
      await mongo.close();
    }
    real.tally = await startTestTally({ mongoDb, ...real.clock.tallyOptions });
    real.tally.live.accounts.maxPendingPerSubscriber = MAX_PENDING;
    real.watchers = real.watchers.map((w) => new Watcher(real.tally, w.accountId));
    real.slow = [];
    await waitForSettlement(real.tally, real.lastSent);
  }
  toString = () => `restartTally(${this.rewind ? 'process manager rewound' : 'from checkpoints'})`;
}

/** A subscriber queue small enough that one that stops reading is dropped within a run. */
export const MAX_PENDING = 4;

/** A dashboard starts watching an account's balance; it must see every change, in order. */
export class Watch implements Command {
  constructor(readonly account: number) {}
  check = (model: Readonly<LedgerModel>) => model.accounts.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const account = pick(model.accounts, this.account)!;
    real.watchers.push(new Watcher(real.tally, account.id));
  }
  toString = () => `watch(#${this.account})`;
}

/** A subscriber that stops reading: it is dropped once its queue is full, and nobody else waits. */
export class SlowSubscriber implements Command {
  constructor(readonly account: number) {}
  check = (model: Readonly<LedgerModel>) => model.accounts.length > 0;
  async run(model: LedgerModel, real: RealLedger) {
    const account = pick(model.accounts, this.account)!;
    real.slow.push(slowSubscriber(real.tally, account.id));
  }
  toString = () => `slowSubscriber(#${this.account})`;
}
