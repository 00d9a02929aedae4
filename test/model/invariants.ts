import { START, StreamNotFoundError } from '@eventstore/db-client';
import { expect } from 'vitest';
import type { Tally } from '../../src/app.js';
import { type AccountEvent, accountDecider } from '../../src/domain/account/index.js';
import type { CurrencyCode } from '../../src/domain/money.js';
import { ACCOUNT, TRANSFER_QUERY } from '../support/operations.js';
import { endOfAll, waitForSettlement } from '../support/settlement.js';
import { graphql } from '../support/test-tally.js';
import { decimal, type LedgerModel } from './ledger-model.js';
import type { Watcher } from './live-watchers.js';

/** Every account and event of one stream, folded with the write side's own evolve. */
async function foldStream(tally: Tally, accountId: string) {
  let state = accountDecider.initialState;
  let revision = -1;
  const commandRuns: string[] = [];
  try {
    for await (const resolved of tally.eventStore.readStream(`account-${accountId}`, {
      fromRevision: START,
    })) {
      const event = resolved.event;
      if (!event) continue;
      state = accountDecider.evolve(state, { type: event.type, data: event.data } as AccountEvent);
      revision = Number(event.revision);
      const commandId = (event.metadata as { commandId?: string }).commandId ?? '';
      if (commandRuns.at(-1) !== commandId) commandRuns.push(commandId);
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return { state, revision, commandRuns };
}

/**
 * What must hold after any sequence of commands: every transfer settled as the model says;
 * each read model equals both the model and the fold of its stream; no command appended its
 * events twice; money is conserved per currency.
 */
export async function checkInvariants(
  model: LedgerModel,
  tally: Tally,
  lastSent: bigint,
  watchers: readonly Watcher[] = [],
): Promise<void> {
  await waitForSettlement(tally, lastSent);
  const end = String(await endOfAll(tally));

  for (const [id, status] of model.transfers) {
    const transfer = await graphql(tally, TRANSFER_QUERY, { id, consistentWith: end });
    expect(transfer.data?.transfer.status, `transfer ${id}`).toBe(status);
  }

  const balances = new Map<CurrencyCode, number>();
  for (const account of model.accounts) {
    const read = await graphql(tally, ACCOUNT, { id: account.id, consistentWith: end });
    const document = read.data?.account;
    expect(document?.balance.amount, `balance of ${account.id}`).toBe(
      decimal(account.balance, account.currency),
    );
    expect(document?.status, `status of ${account.id}`).toBe(account.status);

    const folded = await foldStream(tally, account.id);
    if (!folded.state.exists) throw new Error(`account ${account.id} has no stream`);
    expect(folded.state.balance, `fold of ${account.id}`).toBe(account.balance);
    expect(folded.state.status).toBe(account.status);
    expect(document?.revision, `read-model revision of ${account.id}`).toBe(folded.revision);
    const once = new Set(folded.commandRuns);
    expect(once.size, `a command of ${account.id} appended twice`).toBe(folded.commandRuns.length);

    balances.set(account.currency, (balances.get(account.currency) ?? 0) + account.balance);

    // Every watcher of this account saw each state up to the last, in order, with no gap.
    for (const watcher of watchers.filter((w) => w.accountId === account.id)) {
      await watcher.sees(folded.revision);
      expect(watcher.errors, `watcher of ${account.id}`).toEqual([]);
      const first = watcher.revisions[0]!;
      expect(watcher.revisions).toEqual(
        Array.from({ length: folded.revision - first + 1 }, (_, i) => first + i),
      );
    }
  }

  for (const [currency, total] of balances) {
    const t = (totals: Map<CurrencyCode, number>) => totals.get(currency) ?? 0;
    // deposited − withdrawn − fees + interest − captured + reversedIn − reversedOut (DESIGN §2a).
    const entered =
      t(model.deposited) -
      t(model.withdrawn) -
      t(model.fees) +
      t(model.paidInterest) -
      t(model.captured) +
      t(model.reversedIn) -
      t(model.reversedOut);
    expect(total, `money conserved in ${currency}`).toBe(entered);
  }
}
