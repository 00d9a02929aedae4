import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { readModelProjections } from '../read/projections/index.js';
import { type RebuildProgress, RebuildRefused, rebuildProjection } from '../rebuild/rebuild-run.js';
import { type CliCommand, EXIT, UsageError } from './command.js';
import { connectStores, STORES_HELP } from './stores.js';

const NAMES = readModelProjections.map((p) => p.name);

const HELP = `Usage: npm run tally -- rebuild [--projection NAME] [--wait S]

Rebuilds read models blue/green while Tally keeps serving: each projection is built from the
first event into a copy beside the live collection (<name>__rebuild, with its own checkpoint
rebuild:<name>), with a progress bar (events, events per second, ETA). Once the copy is near the
head, the running leader's projector catches it up to exactly the position it has applied and
renames it over the live collection between two batches (one atomic renameCollection, which
also drops the old copy), then goes on writing the new one. Queries read the old collection or
the new one, never a half-built one; live subscriptions follow the new one without a gap.

An interrupted rebuild resumes from the copy's checkpoint when run again; the live collection is
untouched until the switch. With no Tally running (no leader for 10 s), this command catches the
copy up to the head and switches it itself.

Options:
  --projection NAME   one of ${NAMES.join(', ')} (default: each in turn)
  --wait S            how long to wait for the running projector to switch (default 300)
  --help              this text

Exit status: 0 rebuilt and switched, 1 a copy is ready but was not switched in time (or is
being backfilled), 2 could not run.

${STORES_HELP}`;

export const rebuildCommand: CliCommand = {
  name: 'rebuild',
  summary: 'rebuild read models from the first event, blue/green, while Tally serves',
  help: HELP,
  async run(args, output) {
    const { projections, waitMs } = parseOptions(args);
    const stores = await connectStores();
    try {
      for (const projection of projections) {
        const bar = progressBar(projection.name);
        try {
          const result = await rebuildProjection({
            client: stores.eventStore,
            db: stores.models.checkpoints.db,
            projection,
            waitMs,
            onProgress: (progress) => bar.update(progress),
          });
          bar.stop();
          const seconds = result.ms / 1000;
          output.out(
            `rebuild ${result.projection}: ${result.events} events in ${seconds.toFixed(1)} s ` +
              `(${Math.round(result.events / Math.max(seconds, 0.001))} events/s), switched in at ` +
              `position ${result.position} by ${result.switchedBy === 'projector' ? 'the running projector' : 'this process (no Tally running)'}`,
          );
        } catch (error) {
          bar.stop();
          if (!(error instanceof RebuildRefused)) throw error;
          output.out(`rebuild ${projection.name}: ${error.message}`);
          return EXIT.findings;
        }
      }
      return EXIT.ok;
    } finally {
      await stores.close();
    }
  },
};

/** Progress in $all positions (what is known in advance), rates in events. */
function progressBar(name: string) {
  const bar = new SingleBar({
    format: `rebuild ${name} [{bar}] {percentage}% | {events} events | {rate} events/s | ETA {eta_formatted} | {phase}`,
    stream: process.stderr,
    etaBuffer: 50,
  });
  const started = performance.now();
  let running = false;
  return {
    update(progress: RebuildProgress) {
      const total = Math.max(1, Number(progress.head));
      const value = Math.min(total, Math.max(0, Number(progress.position)));
      const seconds = (performance.now() - started) / 1000;
      const payload = {
        events: progress.events,
        rate: Math.round(progress.events / Math.max(seconds, 0.001)),
        phase: progress.phase === 'building' ? 'building the copy' : 'switching',
      };
      if (!running) {
        bar.start(total, value, payload);
        running = true;
      } else {
        bar.setTotal(Math.max(total, value));
        bar.update(value, payload);
      }
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

function parseOptions(args: string[]) {
  let values: { projection?: string; wait?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { projection: { type: 'string' }, wait: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const projections =
    values.projection === undefined
      ? readModelProjections
      : readModelProjections.filter((p) => p.name === values.projection);
  if (projections.length === 0) {
    throw new UsageError(
      `--projection must be one of ${NAMES.join(', ')}; got "${values.projection}"`,
    );
  }
  const wait = values.wait === undefined ? 300 : Number(values.wait);
  if (!Number.isFinite(wait) || wait <= 0) {
    throw new UsageError('--wait must be a positive number of seconds');
  }
  return { projections, waitMs: wait * 1000 };
}
