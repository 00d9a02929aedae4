import { parseArgs } from 'node:util';
import { formatDifference } from '../integrity/differences.js';
import { verifyLedger } from '../integrity/verify.js';
import { type CliCommand, EXIT, UsageError } from './command.js';
import { connectStores, STORES_HELP } from './stores.js';

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'fold every stream from the event store and compare it with the read models',
  help: `Usage: npm run tally -- verify [--wait SECONDS]

Folds every account and transfer stream in the event store with the domain's own rules and
compares the result with the read models: each account's balance, status, revision, owner,
currency and number of transactions; each transfer; each currency's totals in the integrity
projection; and that money is conserved (balances + in flight = deposited − withdrawn − fees
+ interest − captured + reversedIn − reversedOut). First it waits for the projections to pass
the event store's last event. Each difference is printed on its own line.

Options:
  --wait SECONDS   how long to wait for the projections to catch up (default 30)
  --help           this text

Exit status: 0 no difference, 1 differences (or projections still behind after --wait),
2 could not run (bad arguments, configuration, or a store that does not answer).

${STORES_HELP}`,

  async run(args, output) {
    const waitMs = parseWait(args);
    const stores = await connectStores();
    try {
      const started = performance.now();
      const report = await verifyLedger({
        eventStore: stores.eventStore,
        models: stores.models,
        waitMs,
      });
      for (const difference of report.differences) output.out(formatDifference(difference));
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const scope =
        `${report.events} events, ${report.accounts} accounts, ${report.transfers} transfers, ` +
        `${report.currencies} currencies, up to position ${report.head?.commit ?? 'none'}`;
      const count = report.differences.length;
      output.out(
        count === 0
          ? `verify: no differences (${scope}; ${seconds} s)`
          : `verify: ${count} difference${count === 1 ? '' : 's'} (${scope}; ${seconds} s)`,
      );
      return count === 0 ? EXIT.ok : EXIT.findings;
    } finally {
      await stores.close();
    }
  },
};

function parseWait(args: string[]): number {
  let values: { wait?: string };
  try {
    ({ values } = parseArgs({ args, options: { wait: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.wait === undefined) return 30_000;
  const seconds = Number(values.wait);
  if (!/^\d+(\.\d+)?$/.test(values.wait) || seconds > 3600) {
    throw new UsageError(`--wait must be a number of seconds from 0 to 3600; got "${values.wait}"`);
  }
  return seconds * 1000;
}
