import { parseArgs } from 'node:util';
import { rootLogger } from '../logger.js';
import { createTransferProcessManager } from '../process/transfer-process-manager.js';
import { CheckpointStore } from '../read/checkpoint-store.js';
import { ParkedEventStore, parkedEventCursor, replayParked } from '../read/parking/index.js';
import { createProjector } from '../read/projector.js';
import { Ledger } from '../write/ledger.js';
import { type CliCommand, EXIT, UsageError } from './command.js';
import { connectStores, STORES_HELP } from './stores.js';

const PAGE = 100;

export const parkedCommand: CliCommand = {
  name: 'parked',
  summary: 'list the events a consumer parked after its retries, or replay one',
  help: `Usage: npm run tally -- parked [--replay ID]

Without options, lists every parked event, oldest first: its id, the consumer that parked it
(read-models or transfer-process-manager), the stream and revision, the event type, how many
attempts failed and the last error.

With --replay ID, reads the event afresh from the event store and applies it once through the
consumer that parked it (the same handler as the running one; every handler is idempotent, so an
event applied meanwhile changes nothing), then removes it from the parked list. If it fails
again, it stays parked with the new error.

Options:
  --replay ID   the id of one parked event, as the list shows it
  --help        this text

Exit status: 0 nothing parked (list) or replayed (--replay), 1 events are parked (list) or the
replay failed or found no such event, 2 could not run.

${STORES_HELP}`,

  async run(args, output) {
    const replay = parseReplay(args);
    const stores = await connectStores();
    try {
      const parked = ParkedEventStore.inDatabase(stores.models.checkpoints.db);
      if (replay === undefined) {
        let after: string | undefined;
        let count = 0;
        for (;;) {
          const page = await parked.list(PAGE, after);
          for (const event of page.events) {
            count++;
            output.out(
              `${event.id}\n  ${event.consumer}: ${event.eventType} ${event.streamId}@${event.revision} ` +
                `(position ${event.position.commit}), ${event.attempts} attempts, parked ${event.parkedAt.toISOString()}\n` +
                `  ${event.error.split('\n')[0]}`,
            );
          }
          if (!page.hasNextPage || page.events.length === 0) break;
          after = parkedEventCursor(page.events.at(-1)!);
        }
        output.out(
          count === 0 ? 'parked: none' : `parked: ${count} event${count === 1 ? '' : 's'}`,
        );
        return count === 0 ? EXIT.ok : EXIT.findings;
      }
      const logger = rootLogger.child({ module: 'cli-parked' });
      const checkpoints = new CheckpointStore(stores.models.checkpoints);
      // Built, never started: replay() applies one event through the same handler.
      const consumers = [
        createProjector(stores.eventStore, stores.models, logger),
        createTransferProcessManager(
          stores.eventStore,
          new Ledger(stores.eventStore),
          checkpoints,
          logger,
        ),
      ];
      const outcome = await replayParked(
        { eventStore: stores.eventStore, parked, consumers },
        replay,
      );
      switch (outcome.status) {
        case 'replayed':
          output.out(
            `replayed ${replay}: applied by ${outcome.event.consumer} and removed from the parked list`,
          );
          return EXIT.ok;
        case 'failed':
          output.out(`replay of ${replay} failed again; it stays parked: ${String(outcome.error)}`);
          return EXIT.findings;
        case 'not-found':
          output.out(`no parked event has the id ${replay}`);
          return EXIT.findings;
        case 'no-consumer':
          output.out(`no consumer named ${outcome.event.consumer} in this version of Tally`);
          return EXIT.findings;
      }
    } finally {
      await stores.close();
    }
  },
};

function parseReplay(args: string[]): string | undefined {
  try {
    const { values } = parseArgs({ args, options: { replay: { type: 'string' } }, strict: true });
    if (values.replay !== undefined && values.replay.trim() === '') {
      throw new UsageError('--replay needs the id of a parked event');
    }
    return values.replay;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
