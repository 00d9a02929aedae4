import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Tally } from '../../src/app.js';
import { startTestTally } from '../support/test-tally.js';
import {
  AdvanceTime,
  CaptureHold,
  ChargeFee,
  checkBankingInvariants,
  MODEL_RATES,
  PlaceHold,
  ReleaseHold,
  Reverse,
  SetRate,
} from './banking-commands.js';
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
import { ModelClock } from './model-clock.js';

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
const hold = fc.nat({ max: 6 });
// An hour to 20 days: holds expire and months end within a run.
const timeStep = fc.integer({ min: 3_600_000, max: 20 * 86_400_000 });
// One clock for the whole file, only ever moving forward: Tally's events are dated by it.
const clock = new ModelClock();

const banking = [
  fc
    .tuple(account, amount, fc.option(fc.integer({ min: 1, max: 24 * 20 }), { nil: undefined }))
    .map(([a, m, hours]) => new PlaceHold(a, m, hours)),
  fc
    .tuple(hold, fc.constantFrom('all', 'part', 'part', 'over'))
    .map(([h, mode]) => new CaptureHold(h, mode as never)),
  hold.map((h) => new ReleaseHold(h)),
  fc.tuple(account, amount).map(([a, m]) => new ChargeFee(a, m)),
  fc.tuple(account, fc.constantFrom(...MODEL_RATES)).map(([a, r]) => new SetRate(a, r)),
  fc.nat({ max: 30 }).map((t) => new Reverse(t)),
  timeStep.map((ms) => new AdvanceTime(ms)),
  timeStep.map((ms) => new AdvanceTime(ms)),
];

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
  // Holds, fees, rates, reversals, and time that moves (expiry and interest run inside).
  ...banking,
];

/**
 * The same ledger with the banking commands weighted up (more accounts, money, rates and time),
 * so that each run captures, reverses, expires and pays interest, not just now and then.
 */
const bankingFirst = [
  fc
    .tuple(fc.constantFrom(...CURRENCIES), amount)
    .map(([currency, initial]) => new OpenAccount(currency, initial)),
  fc.tuple(account, amount, fc.boolean()).map(([a, m, keyed]) => new Deposit(a, m, keyed)),
  fc.tuple(account, amount).map(([a, m]) => new Withdraw(a, m)),
  fc
    .tuple(account, fc.constant('existing'), account, amount)
    .map(([from, target, to, m]) => new Transfer(from, target as never, to, m)),
  account.map((a) => new Freeze(a)),
  account.map((a) => new Unfreeze(a)),
  account.map((a) => new Close(a)),
  fc.constant(new RestartTally(false)),
  ...banking,
  ...banking,
];

let tally: Tally;
beforeAll(async () => {
  tally = await startTestTally(clock.tallyOptions);
  // A small queue, so that a subscriber that stops reading is dropped within a run.
  tally.live.accounts.maxPendingPerSubscriber = MAX_PENDING;
});
afterAll(async () => {
  await tally?.close();
});

describe('the ledger against its model', () => {
  const property =
    (
      list: typeof commands,
      setup: Array<(typeof commands)[number] extends fc.Arbitrary<infer C> ? C : never> = [],
    ) =>
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.commands(list, { maxCommands: MAX_COMMANDS, size: 'max' }),
          async (cmds) => {
            const model = emptyModel();
            const real: RealLedger = { tally, lastSent: 0n, watchers: [], slow: [], clock };
            try {
              for (const command of setup) await command.run(model, real);
              await fc.asyncModelRun(() => ({ model, real }), cmds);
              await checkInvariants(model, real.tally, real.lastSent, real.watchers);
              await checkBankingInvariants(model, real);
            } finally {
              for (const subscriber of [...real.watchers, ...real.slow]) subscriber.close();
              tally = real.tally;
            }
          },
        ),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    };

  it(
    'keeps money, settlements, read models and idempotency exact under random commands',
    property(commands),
    RUNS * 20_000,
  );

  it(
    'holds, fees, rates, reversals, expiry and interest agree with the model as time moves',
    // Accounts with money and rates to begin with, so months end on something to pay.
    property(bankingFirst, [
      new OpenAccount(CURRENCIES[0]!, 5_000),
      new OpenAccount(CURRENCIES[1]!, 3_000),
      new OpenAccount(CURRENCIES[0]!, 4_000),
      new SetRate(0, '0.2'),
      new SetRate(1, '0.365'),
      new SetRate(2, '0.05'),
    ]),
    RUNS * 20_000,
  );
});
