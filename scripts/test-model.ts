/**
 * `npm run test:model -- --runs N [--seed S] [--max-commands M]`: the model-based test of the
 * ledger with many runs, outside `npm test` (which runs a few with a fixed seed).
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string' },
    'max-commands': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run test:model -- [--runs N] [--seed S] [--max-commands M]');
  process.exit(0);
}
const seed = values.seed ?? String(Date.now() % 2 ** 31);
console.log(`model-based test: ${values.runs} runs, seed ${seed}`);
const result = spawnSync('npx', ['vitest', 'run', 'test/model'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    MODEL_RUNS: values.runs,
    MODEL_SEED: seed,
    ...(values['max-commands'] ? { MODEL_MAX_COMMANDS: values['max-commands'] } : {}),
  },
});
process.exit(result.status ?? 1);
