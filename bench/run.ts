import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * `npm run bench -- <api|eventstore|mongo|snapshots|startup|steady> [--quick]`: runs one
 * benchmark, or all but `steady` (a six-minute memory run, bench/api/steady.ts).
 */
const ROOT = join(import.meta.dirname, '..');
const scripts: Record<string, string> = {
  // The stand-ins' benches live in their packages.
  eventstore: join(ROOT, 'packages/eventstore-standin/bench/run.ts'),
  mongo: join(ROOT, 'packages/mongo-standin/bench/run.ts'),
  api: join(import.meta.dirname, 'api.ts'),
  snapshots: join(import.meta.dirname, 'snapshots.ts'),
  startup: join(import.meta.dirname, 'startup.ts'),
  steady: join(import.meta.dirname, 'api/steady.ts'),
};
/** Run only when named: minutes of steady load, for memory and profiles. */
const ONLY_WHEN_NAMED = new Set(['steady']);
const [which, ...rest] = process.argv.slice(2);
const all = Object.keys(scripts);
const chosen =
  which && all.includes(which) ? [which] : all.filter((name) => !ONLY_WHEN_NAMED.has(name));
for (const name of chosen) {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      scripts[name]!,
      ...(which && all.includes(which) ? rest : process.argv.slice(2)),
    ],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
