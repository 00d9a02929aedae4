import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommandStartedEvent,
  type Document,
  MongoClient,
  type MongoClientOptions,
  MongoNetworkError,
  MongoServerError,
  MongoWriteConcernError,
} from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killHard, startMongoProcess } from '../src/process.js';
import { freshName, useEmbeddedMongo } from './support.js';

/**
 * configureFailPoint as a mongod started with enableTestCommands=1 answers it, driven the way
 * the specifications' unified tests drive it (retryable-writes *-errorLabels/serverErrors,
 * change-streams-resume-errorLabels/allowlist): a test client sets the fail point, another
 * client (its own appName) runs the operation and must see what it would see against mongod.
 */
describe('embedded mongo: fail points (enableTestCommands)', () => {
  const ctx = useEmbeddedMongo({}, { enableTestCommands: true });
  const clients: MongoClient[] = [];
  const admin = () => ctx.client.db('admin');
  const failPoint = (command: Document) => admin().command(command);

  afterEach(async () => {
    await failPoint({ configureFailPoint: 'failCommand', mode: 'off' });
    await failPoint({ configureFailPoint: 'failGetMoreAfterCursorCheckout', mode: 'off' });
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  /** A client of its own with a fresh appName, and the commands it starts. */
  async function appClient(options: MongoClientOptions = {}) {
    const appName = freshName('app');
    const client = new MongoClient(ctx.server.url, {
      appName,
      monitorCommands: true,
      serverSelectionTimeoutMS: 5000,
      ...options,
    });
    clients.push(client);
    const started: CommandStartedEvent[] = [];
    client.on('commandStarted', (event) => started.push(event));
    await client.connect();
    const db = client.db(freshName('db'));
    return { appName, client, db, started };
  }

  it('answers {count, ok} with the times the point fired, and off stops it', async () => {
    const { appName, db } = await appClient();
    const coll = db.collection(freshName());
    const set = await failPoint({
      configureFailPoint: 'failCommand',
      mode: 'alwaysOn',
      data: { failCommands: ['find'], errorCode: 2, appName },
    });
    expect(set).toMatchObject({ ok: 1 });
    const before = set.count as number;
    const error = await coll.findOne({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({
      code: 2,
      codeName: 'BadValue',
      message: "Failing command via 'failCommand' failpoint",
    });
    const off = await failPoint({ configureFailPoint: 'failCommand', mode: 'off' });
    expect(off.count).toBe(before + 1);
    await expect(coll.findOne({})).resolves.toBeNull();
  });

  it('fails only the named commands of the named appName, {times} then off, {skip} first', async () => {
    const { appName, db } = await appClient();
    const coll = db.collection(freshName());
    await failPoint({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['find'], errorCode: 11601, appName },
    });
    // Another client (another appName) and another command are untouched, and not counted.
    await expect(ctx.client.db('x').collection('y').findOne({})).resolves.toBeNull();
    await expect(coll.countDocuments()).resolves.toBe(0);
    await expect(coll.findOne({})).rejects.toMatchObject({ code: 11601, codeName: 'Interrupted' });
    await expect(coll.findOne({})).resolves.toBeNull();

    await failPoint({
      configureFailPoint: 'failCommand',
      mode: { skip: 1 },
      data: { failCommands: ['find'], errorCode: 2, appName },
    });
    await expect(coll.findOne({})).resolves.toBeNull();
    await expect(coll.findOne({})).rejects.toMatchObject({ code: 2 });
  });

  it('matches `namespace` to the collection a command names', async () => {
    const { appName, db } = await appClient();
    const target = db.collection(freshName());
    const other = db.collection(freshName());
    await failPoint({
      configureFailPoint: 'failCommand',
      mode: 'alwaysOn',
      data: {
        failCommands: ['insert'],
        errorCode: 2,
        appName,
        namespace: `${db.databaseName}.${target.collectionName}`,
      },
    });
    await expect(other.insertOne({ a: 1 })).resolves.toMatchObject({ acknowledged: true });
    await expect(target.insertOne({ a: 1 })).rejects.toMatchObject({ code: 2 });
  });

  it('refuses what mongod refuses: not admin, an unknown point, a bad mode', async () => {
    await expect(
      ctx.client.db('test').command({ configureFailPoint: 'failCommand', mode: 'off' }),
    ).rejects.toMatchObject({
      code: 13,
      message: 'configureFailPoint may only be run against the admin database.',
    });
    await expect(
      failPoint({ configureFailPoint: 'noSuchPoint', mode: 'off' }),
    ).rejects.toMatchObject({
      code: 266,
      codeName: 'FailPointSetFailed',
      message: 'noSuchPoint not found',
    });
    await expect(failPoint({ configureFailPoint: 'failCommand' })).rejects.toMatchObject({
      code: 20,
    });
    await expect(
      failPoint({ configureFailPoint: 'failCommand', mode: 'sometimes' }),
    ).rejects.toMatchObject({ code: 2, message: 'unknown mode: sometimes' });
    await expect(
      failPoint({ configureFailPoint: 'failCommand', mode: { times: -1 } }),
    ).rejects.toMatchObject({ code: 2 });
  });

  it('a retryable insert failing once with a retryable code is retried once: one document', async () => {
    const { appName, db, started } = await appClient();
    const coll = db.collection(freshName());
    await failPoint({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      // No errorLabels: mongod itself adds RetryableWriteError (91 is a RetriableError).
      data: { failCommands: ['insert'], errorCode: 91, appName },
    });
    await coll.insertOne({ _id: 1, x: 11 } as Document);
    const inserts = started.filter((e) => e.commandName === 'insert');
    expect(inserts).toHaveLength(2);
    expect(inserts[1]?.command.txnNumber).toEqual(inserts[0]?.command.txnNumber);
    expect(await coll.find().toArray()).toEqual([{ _id: 1, x: 11 }]);
  });

  it('errorLabels [] suppresses the label: the driver does not retry', async () => {
    const { appName, db, started } = await appClient();
    const coll = db.collection(freshName());
    await failPoint({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['insert'], errorCode: 11600, errorLabels: [], appName },
    });
    const error = (await coll.insertOne({ x: 1 }).catch((e: unknown) => e)) as MongoServerError;
    expect(error).toMatchObject({ code: 11600 });
    expect(error.hasErrorLabel('RetryableWriteError')).toBe(false);
    expect(started.filter((e) => e.commandName === 'insert')).toHaveLength(1);
    expect(await coll.countDocuments()).toBe(0);
  });

  it('writeConcernError: the write is applied and the reply carries the error', async () => {
    const { appName, db } = await appClient({ retryWrites: false });
    const coll = db.collection(freshName());
    await failPoint({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: {
        failCommands: ['insert'],
        writeConcernError: { code: 100, errmsg: 'Not enough data-bearing nodes' },
        appName,
      },
    });
    const error = await coll.insertOne({ _id: 7 } as Document).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoWriteConcernError);
    expect(error).toMatchObject({ code: 100 });
    expect(await coll.find().toArray()).toEqual([{ _id: 7 }]);
  });

  it('a retryable writeConcernError is retried and answered from the first write', async () => {
    const { appName, db, started } = await appClient();
    const coll = db.collection(freshName());
    await failPoint({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: {
        failCommands: ['insert'],
        writeConcernError: { code: 91, errmsg: 'Replication is being shut down' },
        appName,
      },
    });
    await expect(coll.insertOne({ _id: 3, x: 33 } as Document)).resolves.toMatchObject({
      insertedId: 3,
    });
    expect(started.filter((e) => e.commandName === 'insert')).toHaveLength(2);
    expect(await coll.find().toArray()).toEqual([{ _id: 3, x: 33 }]);
  });

  it('closeConnection: the driver sees a network error; the retry reconnects', async () => {
    const { appName, db } = await appClient({ retryReads: false });
    const coll = db.collection(freshName());
    await coll.insertOne({ _id: 1 } as Document);
    await failPoint({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['find'], closeConnection: true, appName },
    });
    const error = await coll.findOne({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoNetworkError);
    await expect(coll.findOne({})).resolves.toEqual({ _id: 1 });

    // A retryable write whose connection closes is retried once on a new one.
    await failPoint({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['insert'], closeConnection: true, appName },
    });
    await coll.insertOne({ _id: 2 } as Document);
    expect(await coll.countDocuments()).toBe(2);
  });

  it('blockConnection holds that command while other connections are answered', async () => {
    const { appName, db } = await appClient();
    const coll = db.collection(freshName());
    await coll.insertOne({ _id: 1 } as Document);
    await failPoint({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['find'], blockConnection: true, blockTimeMS: 300, appName },
    });
    const finished: string[] = [];
    const blocked = coll.findOne({}).then((doc) => {
      finished.push('blocked find');
      return doc;
    });
    await ctx.client.db('admin').command({ ping: 1 });
    finished.push('ping on another connection');
    await expect(blocked).resolves.toEqual({ _id: 1 });
    expect(finished).toEqual(['ping on another connection', 'blocked find']);
    // Without blockTimeMS the command fails as mongod fails it.
    await failPoint({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['find'], blockConnection: true, appName },
    });
    await expect(coll.findOne({})).rejects.toMatchObject({ code: 72 });
  });

  describe('change streams', () => {
    /** A stream whose aggregate already ran (so later inserts are after its start). */
    async function openStream() {
      const app = await appClient();
      const coll = app.db.collection(freshName());
      const stream = coll.watch([], { maxAwaitTimeMS: 50 });
      await stream.tryNext();
      return { ...app, coll, stream };
    }

    it('resumes after a getMore fails with a resumable code, missing no event', async () => {
      const { coll, stream, started } = await openStream();
      await coll.insertOne({ n: 1 });
      expect((await stream.next()).operationType).toBe('insert');
      await failPoint({
        configureFailPoint: 'failGetMoreAfterCursorCheckout',
        mode: { times: 1 },
        data: { errorCode: 6 },
      });
      await coll.insertOne({ n: 2 });
      await coll.insertOne({ n: 3 });
      const next = [await stream.next(), await stream.next()] as Document[];
      expect(next.map((e) => e.fullDocument.n)).toEqual([2, 3]);
      const aggregates = started.filter((e) => e.commandName === 'aggregate');
      expect(aggregates).toHaveLength(2);
      expect(aggregates[1]?.command.pipeline[0].$changeStream.resumeAfter).toBeDefined();
      await stream.close();
    });

    it('failCommand on getMore adds no resumable label: the stream fails', async () => {
      const { appName, coll, stream } = await openStream();
      await failPoint({
        configureFailPoint: 'failCommand',
        mode: { times: 1 },
        data: { failCommands: ['getMore'], errorCode: 6, appName },
      });
      await coll.insertOne({ n: 1 });
      await expect(stream.next()).rejects.toMatchObject({ code: 6 });
      await stream.close();
    });

    it('failCommand with errorLabels [ResumableChangeStreamError] resumes', async () => {
      const { appName, coll, stream } = await openStream();
      await failPoint({
        configureFailPoint: 'failCommand',
        mode: { times: 1 },
        data: {
          failCommands: ['getMore'],
          errorCode: 50,
          errorLabels: ['ResumableChangeStreamError'],
          appName,
        },
      });
      await coll.insertOne({ n: 1 });
      expect((await stream.next()).operationType).toBe('insert');
      await stream.close();
    });

    it('closeConnection on getMore resumes (a network error is resumable)', async () => {
      const { appName, coll, stream } = await openStream();
      await failPoint({
        configureFailPoint: 'failCommand',
        mode: { times: 1 },
        data: { failCommands: ['getMore'], closeConnection: true, appName },
      });
      await coll.insertOne({ n: 1 });
      expect(((await stream.next()) as Document).fullDocument.n).toBe(1);
      await stream.close();
    });
  });
});

describe('embedded mongo: fail points without enableTestCommands', () => {
  const ctx = useEmbeddedMongo();
  let admin: ReturnType<MongoClient['db']>;
  beforeAll(() => {
    admin = ctx.client.db('admin');
  });
  afterAll(() => undefined);

  it('has no configureFailPoint, as mongod without test commands', async () => {
    await expect(
      admin.command({ configureFailPoint: 'failCommand', mode: 'alwaysOn' }),
    ).rejects.toMatchObject({ code: 59, message: "no such command: 'configureFailPoint'" });
    await expect(admin.command({ getParameter: 1, enableTestCommands: 1 })).resolves.toMatchObject({
      enableTestCommands: false,
    });
  });
});

describe('npm run mongo: test commands', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) await killHard(child);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the CLI as a harness would and asks whether it has test commands. */
  async function cliHasTestCommands(args: string[]): Promise<unknown> {
    const dir = mkdtempSync(join(tmpdir(), 'mongo-cli-'));
    dirs.push(dir);
    const { child, url } = await startMongoProcess(dir, args);
    children.push(child);
    const client = await new MongoClient(url).connect();
    try {
      const answer = await client.db('admin').command({ getParameter: 1, enableTestCommands: 1 });
      return answer.enableTestCommands;
    } finally {
      await client.close();
    }
  }

  it('are on by default, as the specification harnesses start mongod, and off on request', async () => {
    expect(await cliHasTestCommands([])).toBe(true);
    expect(await cliHasTestCommands(['--setParameter', 'enableTestCommands=0'])).toBe(false);
  });
});
