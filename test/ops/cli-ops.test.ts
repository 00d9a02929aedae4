import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { authorizationFor, TEST_JWT_SECRET } from '../support/tokens.js';
import { TallyInstance } from './instance.js';

const database = `test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const mongo = await new MongoClient(inject('mongoUrl')).connect();
const server = await TallyInstance.start('seeded', {
  EVENTSTORE_URL: inject('eventStoreUrl'),
  MONGODB_URL: inject('mongoUrl'),
  MONGODB_DB: database,
  AUTH_JWT_SECRET: TEST_JWT_SECRET,
});
afterAll(async () => {
  await server.kill('SIGTERM');
  await mongo.close();
});

async function tally(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run tally -- seed and parked', () => {
  it('seed opens the accounts and moves money through the public API, and says so', async () => {
    process.env.TALLY_TOKEN = await authorizationFor('admin');
    const run = await tally(
      'seed',
      '--accounts',
      '6',
      '--days',
      '2',
      '--url',
      server.url('/graphql'),
    );
    expect(run.err).not.toMatch(/: \w+Error/);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toMatch(/^seed: 6 accounts, 18 mutations in [\d.]+ s, 0 refused/m);
  });

  it('seed refuses a bad count with its usage and exit 2', async () => {
    const run = await tally('seed', '--accounts', 'many');
    expect(run.code).toBe(2);
    expect(run.err).toContain('--accounts must be a whole number');
  });

  it('parked lists nothing on a healthy ledger (exit 0), and --replay of an unknown id exits 1', async () => {
    process.env.EVENTSTORE_URL = inject('eventStoreUrl');
    process.env.MONGODB_URL = inject('mongoUrl');
    process.env.MONGODB_DB = database;
    const list = await tally('parked');
    expect(list.out).toBe('parked: none');
    expect(list.code).toBe(0);
    const replay = await tally('parked', '--replay', 'read-models:account-x:0');
    expect(replay.out).toBe('no parked event has the id read-models:account-x:0');
    expect(replay.code).toBe(1);
    const help = await tally('parked', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: npm run tally -- parked [--replay ID]');
  });
});
