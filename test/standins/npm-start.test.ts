import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type PrintedToken,
  runFailingServerProcess,
  startServerProcess,
} from '../support/server-process.js';
import type { Json } from '../support/test-tally.js';

const root = await mkdtemp(join(tmpdir(), 'tally-standins-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function graphql(port: number, token: PrintedToken, query: string, variables = {}) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token.authorization },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Json; errors?: Json[] };
}

/** The stand-in's URL as `npm start` logs it when it has started. */
function loggedUrl(output: string[], message: string): string {
  const line = output.find((l) => l.includes(message));
  if (!line) throw new Error(`no "${message}" line in:\n${output.join('\n')}`);
  return JSON.parse(line).url as string;
}

/** Seconds of CPU in the MongoDB stand-in: mingo folds a million numbers one by one. */
const SUM_OF_A_MILLION = [
  {
    $project: {
      sum: {
        $reduce: {
          input: { $range: [0, 1_000_000] },
          initialValue: 0,
          in: { $add: ['$$value', '$$this'] },
        },
      },
    },
  },
];

describe('npm start with the embedded stand-ins', () => {
  it('answers GraphQL while the MongoDB stand-in is busy with a slow aggregate, and a SIGTERM stops everything cleanly', async () => {
    const dataDir = join(root, 'busy');
    const port = await freePort();
    const server = await startServerProcess({ PORT: String(port), DATA_DIR: dataDir });
    const customer = server.devTokens.customer!;
    const opened = await graphql(
      port,
      customer,
      `mutation ($input: OpenAccountInput!) { openAccount(input: $input) { __typename ... on AccountCommandSuccess { position } } }`,
      { input: { ownerId: customer.sub, currency: 'USD' } },
    );
    expect(opened.data?.openAccount.__typename).toBe('AccountCommandSuccess');

    const mongo = await new MongoClient(
      loggedUrl(server.output, 'embedded MongoDB stand-in started'),
      { monitorCommands: true },
    ).connect();
    try {
      const scratch = mongo.db('standins-test').collection('scratch');
      await scratch.insertOne({ n: 1 });
      const sent = new Promise<void>((resolve) =>
        mongo.on('commandStarted', (event) => {
          if (event.commandName === 'aggregate') resolve();
        }),
      );
      let aggregateDone = false;
      const busy = scratch
        .aggregate(SUM_OF_A_MILLION)
        .toArray()
        .finally(() => {
          aggregateDone = true;
        });
      await sent;
      // With the stand-in on Tally's thread, none of these could be answered until it finished.
      const answeredWhileBusy: boolean[] = [];
      for (let i = 0; i < 5; i++) {
        const answer = await graphql(port, customer, '{ __typename }');
        expect(answer.data?.__typename).toBe('Query');
        answeredWhileBusy.push(!aggregateDone);
      }
      expect(answeredWhileBusy).toEqual([true, true, true, true, true]);
      // The stand-in did the work and is still serving.
      const [result] = await busy;
      expect(result?.sum).toBe(499_999_500_000);
    } finally {
      await mongo.close();
    }

    expect(await server.stop()).toBe(0);
    // Both stand-ins flushed and released their data directories.
    expect(await readdir(join(dataDir, 'eventstore'))).toEqual(['events.log']);
    expect((await readdir(join(dataDir, 'mongo'))).length).toBeGreaterThan(0);
    expect(server.output.join('\n')).toContain('shutting down');
  });

  it('exits with a message naming the stand-in when one cannot start', async () => {
    const dataDir = join(root, 'locked');
    await mkdir(join(dataDir, 'eventstore'), { recursive: true });
    // A live process (this one) holds the event store's data directory.
    await writeFile(join(dataDir, 'eventstore', 'LOCK'), String(process.pid));
    const { code, output } = await runFailingServerProcess({
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
    });
    expect(code).toBe(1);
    expect(output).toContain('The EventStoreDB stand-in failed to start');
    expect(output).toContain(`in use by process ${process.pid}`);
  });
});
