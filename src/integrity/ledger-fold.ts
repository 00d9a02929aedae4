import { type EventStoreDBClient, type Position, START } from '@eventstore/db-client';
import { accountEventTypes } from '../domain/account/events.js';
import type { AccountEvent } from '../domain/account/index.js';
import { type AccountState, evolveAccount, initialAccountState } from '../domain/account/state.js';
import type { CurrencyCode } from '../domain/money.js';
import { transferEventTypes } from '../domain/transfer/events.js';
import type { TransferEvent } from '../domain/transfer/index.js';
import {
  evolveTransfer,
  initialTransferState,
  type TransferState,
} from '../domain/transfer/state.js';
import { storedEventOf } from '../events/recorded-event.js';
import { upcastingReaderFor } from '../events/upcasting-reader.js';
import { expectedBalances } from './conservation.js';
import type { Difference } from './differences.js';
import { formatExactMinor } from './format.js';
import { totalsChange } from './money-effects.js';
import { comparePositions } from './positions.js';
import { addTotals, type LedgerTotals, zeroTotals } from './totals.js';

/** A stream folded up to some revision, with the number of money movements in it so far. */
export interface Snapshot<State> {
  readonly state: State;
  readonly revision: number;
  readonly movements: number;
}

export interface StreamFold<State> {
  current: Snapshot<State>;
  /** As it stood at the head the read models were waited for. */
  atHead?: Snapshot<State>;
  /** At the revision its read-model document claims, caught on the way. */
  atTarget?: Snapshot<State>;
}

/** What the read models claim to have reached, so the fold can stop by each on its way. */
export interface FoldTargets {
  accounts: ReadonlyMap<string, number>;
  transfers: ReadonlyMap<string, number>;
  totals: ReadonlyMap<string, Position>;
}

export interface LedgerFold {
  accounts: Map<string, StreamFold<AccountState>>;
  transfers: Map<string, StreamFold<TransferState>>;
  totalsAtHead: Map<CurrencyCode, LedgerTotals>;
  /** Each currency's totals right after the event at its integrity document's position. */
  totalsAtTarget: Map<string, LedgerTotals>;
  events: number;
  /** Found in the events alone: a balanceAfter that does not follow from the movement. */
  differences: Difference[];
}

const ACCOUNT = 'account-';
const TRANSFER = 'transfer-';
const knownAccountEvents = new Set<string>(accountEventTypes);
const knownTransferEvents = new Set<string>(transferEventTypes);

/**
 * Folds every account and transfer stream with the domain's own evolve, in one pass over $all
 * from the start to its end. `head` is where the read models were waited for; the fold keeps
 * each stream and the totals as they stood there, and, for documents written after it, as they
 * stood at the revision or position the document claims. ($all is read whole and filtered here:
 * this client's reads take no server-side filter.)
 */
export async function foldLedger(
  client: EventStoreDBClient,
  head: Position | undefined,
  targets: FoldTargets,
): Promise<LedgerFold> {
  const fold: LedgerFold = {
    accounts: new Map(),
    transfers: new Map(),
    totalsAtHead: new Map(),
    totalsAtTarget: new Map(),
    events: 0,
    differences: [],
  };
  const totals = new Map<CurrencyCode, LedgerTotals>();
  let headPassed = false;
  for await (const resolved of client.readAll({ fromPosition: START })) {
    const recorded = resolved.event;
    if (!recorded?.isJson) continue;
    const { streamId, position } = recorded;
    const isAccount = streamId.startsWith(ACCOUNT);
    if (!isAccount && !streamId.startsWith(TRANSFER)) continue;
    fold.events++;
    const pastHead = !head || comparePositions(position, head) > 0;
    if (pastHead && !headPassed) {
      headPassed = true;
      fold.totalsAtHead = new Map(totals);
    }
    const revision = Number(recorded.revision);
    // Upcast like every reader (src/events), so a legacy history verifies in today's shapes.
    const event = await upcastingReaderFor(client).upcast(storedEventOf(recorded));
    const { type } = event;
    if (isAccount) {
      const id = streamId.slice(ACCOUNT.length);
      const stream = streamFold(fold.accounts, id, initialAccountState, pastHead);
      let { state, movements } = stream.current;
      if (knownAccountEvents.has(type)) {
        const problem = movementProblem(state, event, `${streamId}@${revision} ${type}`);
        if (problem) fold.differences.push(problem);
        state = evolveAccount(state, event as AccountEvent);
        if (typeof (event.data as { balanceAfter?: unknown }).balanceAfter === 'number') {
          movements++;
        }
      } else fold.differences.push(unknownEvent(streamId, revision, type));
      stream.current = { state, revision, movements };
      if (targets.accounts.get(id) === revision) stream.atTarget = stream.current;

      const moved = totalsChange(event);
      if (moved) {
        // Totals objects are never changed in place, so the copy taken at the head stays put.
        totals.set(
          moved.currency,
          addTotals(totals.get(moved.currency) ?? zeroTotals(), moved.change),
        );
        const target = targets.totals.get(moved.currency);
        if (target && comparePositions(target, position) === 0) {
          fold.totalsAtTarget.set(moved.currency, totals.get(moved.currency)!);
        }
      }
    } else {
      const id = streamId.slice(TRANSFER.length);
      const stream = streamFold(fold.transfers, id, initialTransferState, pastHead);
      let { state } = stream.current;
      if (knownTransferEvents.has(type)) state = evolveTransfer(state, event as TransferEvent);
      else fold.differences.push(unknownEvent(streamId, revision, type));
      stream.current = { state, revision, movements: 0 };
      if (targets.transfers.get(id) === revision) stream.atTarget = stream.current;
    }
  }
  if (!headPassed) fold.totalsAtHead = totals;
  for (const streams of [fold.accounts, fold.transfers] as Array<
    Map<string, StreamFold<unknown>>
  >) {
    for (const stream of streams.values()) stream.atHead ??= stream.current;
  }
  return fold;
}

function streamFold<State>(
  streams: Map<string, StreamFold<State>>,
  id: string,
  initial: State,
  pastHead: boolean,
): StreamFold<State> {
  let stream = streams.get(id);
  if (!stream) {
    stream = { current: { state: initial, revision: -1, movements: 0 } };
    streams.set(id, stream);
  }
  // The first event past the head: what came before is the stream at the head.
  if (pastHead) stream.atHead ??= stream.current;
  return stream;
}

/**
 * A money event must change its account's balance by what conservation says it moves: a
 * deposit adds its amount, a transfer sent takes it, and so on (money-effects.ts).
 */
function movementProblem(
  state: AccountState,
  event: { type: string; data: unknown },
  subject: string,
): Difference | undefined {
  const data = event.data as { balanceAfter?: unknown; currency?: string };
  if (typeof data.balanceAfter !== 'number') return undefined;
  const problem = (detail: string) => ({
    subject: `event ${subject}`,
    field: 'balanceAfter',
    detail,
  });
  if (!state.exists) return problem('moves money in an account that was never opened');
  const moved = totalsChange(event);
  if (!moved) return problem(`verify does not know how ${event.type} moves money`);
  if (moved.currency !== state.currency) {
    return problem(`in ${moved.currency}, but the account holds ${state.currency}`);
  }
  const expected = BigInt(state.balance) + expectedBalances(moved.change);
  if (BigInt(data.balanceAfter) === expected) return undefined;
  const f = (minor: bigint) => formatExactMinor(minor, state.currency);
  return problem(
    `${f(BigInt(data.balanceAfter))}, but the balance before (${f(BigInt(state.balance))}) ` +
      `and the movement make ${f(expected)}`,
  );
}

function unknownEvent(streamId: string, revision: number, type: string): Difference {
  return {
    subject: `event ${streamId}@${revision}`,
    field: 'type',
    detail: `${type} is no event the domain knows; verify cannot fold it`,
  };
}
