import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { startTestTally } from '../support/test-tally.js';
import { checkInvariants } from './invariants.js';
import {
  Close,
  Deposit,
  Freeze,
  MAX_PENDING,
  OpenAccount,
  type RealLedger,
  RestartTally,
  ReuseKey,
  SlowSubscriber,
  Transfer,
  Unfreeze,
  Watch,
  Withdraw,
} from './ledger-commands.js';
import { CURRENCIES, emptyModel } from './ledger-model.js';

/**
 * Model-based test of the ledger through its API on the real stack (stand-ins or real
 * servers): random sequences of commands, each checked against a simple in-memory model,
 * then the invariants. `npm test` runs a few with a fixed seed; `npm run test:model -- --runs N`
 * runs many.
 */
const RUNS = Number(process.env.MODEL_RUNS ?? 6);
const SEED = Number(process.env.MODEL_SEED ?? 20261129);
const MAX_COMMANDS = Number(process.env.MODEL_MAX_COMMANDS ?? 30);

// Few accounts, so that commands meet on the same ones (a transfer to the account just frozen).
const account = fc.nat({ max: 3 });
const amount = fc.integer({ min: 1, max: 5_000 });

const commands = [
  fc
    .tuple(fc.constantFrom(...CURRENCIES), fc.oneof(fc.constant(0), amount))
    .map(([currency, initial]) => new OpenAccount(currency, initial)),
  fc.tuple(account, amount, fc.boolean()).map(([a, m, keyed]) => new Deposit(a, m, keyed)),
  fc.tuple(account, amount).map(([a, m]) => new Withdraw(a, m)),
  fc
    .tuple(account, fc.constantFrom('existing', 'existing', 'missing', 'same'), account, amount)
    .map(([from, target, to, m]) => new Transfer(from, target as never, to, m)),
  account.map((a) => new Freeze(a)),
  account.map((a) => new Unfreeze(a)),
  account.map((a) => new Close(a)),
  fc
    .tuple(
      fc.nat({ max: 20 }),
      fc.constantFrom('same-input', 'short-amount', 'other-account', 'other-amount'),
      account,
    )
    .map(([request, reuse, other]) => new ReuseKey(request, reuse as never, other)),
  fc.boolean().map((rewind) => new RestartTally(rewind)),
  // Weighted: the status changes and restarts are where transfers went wrong before.
  account.map((a) => new Freeze(a)),
  account.map((a) => new Unfreeze(a)),
  fc.constant(new RestartTally(true)),
  account.map((a) => new Watch(a)),
  account.map((a) => new SlowSubscriber(a)),
];

let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally();
  // A small queue, so that a subscriber that stops reading is dropped within a run.
  tally.live.accounts.maxPendingPerSubscriber = MAX_PENDING;
});
afterAll(async () => {
  await tally?.close();
});

describe('the ledger against its model', () => {
  it(
    'keeps money, settlements, read models and idempotency exact under random commands',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: MAX_COMMANDS }), async (cmds) => {
          const model = emptyModel();
          const real: RealLedger = { tally, lastSent: 0n, watchers: [], slow: [] };
          try {
            await fc.asyncModelRun(() => ({ model, real }), cmds);
            await checkInvariants(model, real.tally, real.lastSent, real.watchers);
          } finally {
            for (const subscriber of [...real.watchers, ...real.slow]) subscriber.close();
            tally = real.tally;
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    RUNS * 20_000,
  );
});
