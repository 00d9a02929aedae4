import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** `npm run bench -- <api|eventstore|mongo|snapshots> [--quick]`: runs one benchmark, or all. */
const [which, ...rest] = process.argv.slice(2);
const all = ['eventstore', 'mongo', 'api', 'snapshots'];
const chosen = which && all.includes(which) ? [which] : all;
for (const name of chosen) {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, `${name}.ts`),
      ...(which && all.includes(which) ? rest : process.argv.slice(2)),
    ],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
