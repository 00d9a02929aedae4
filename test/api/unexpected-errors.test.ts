import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ACCOUNT } from '../support/operations.js';
import { graphql, startTestTally } from '../support/test-tally.js';

describe('unexpected errors', () => {
  it('are masked in the response and logged with their stack', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'error' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const tally = await startTestTally({ logger });
    // Pull the read-model store out from under the API: the next query fails inside the driver.
    await tally.mongo.close();
    const result = await graphql(tally, ACCOUNT, { id: randomUUID() });
    expect(result.errors?.[0]).toMatchObject({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(result)).not.toMatch(/Mongo|stack|at /);
    const logged = lines
      .map((line) => JSON.parse(line))
      .find((entry) => entry.msg === 'unexpected error while executing a GraphQL operation');
    expect(logged?.err.stack).toMatch(/Mongo/);
    await tally.projector.stop();
    await tally.processManager?.stop();
    await tally.eventStore.dispose();
  });
});
