import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  ABORTED,
  EventStoreDBClient,
  FAULTED,
  jsonEvent,
  type ProjectionDetails,
  type ResolvedEvent,
  RUNNING,
  STOPPED,
  UnknownError,
} from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ownStores } from './own-stores.js';
import { collect, event, readAllOf } from './support.js';

// User-defined JavaScript projections through the client, starting with the expectations of the
// client's own `readStream` / `readAll` "resolve link tos" tests (client 6.2.1). Every test has
// a store of its own: projections write into `$all`.

const { start, stop, freshDir } = ownStores({ runProjections: 'all' });

/** The stand-in's CLI as a child process on `dataDir`; resolves with its connection string. */
function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '../src/cli.ts'),
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'warn' },
    },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    lines.once('line', (url) => resolve({ child, url }));
    child.once('exit', (code) => reject(new Error(`stand-in exited early with ${code}`)));
  });
}
const children = new Set<ChildProcess>();

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

afterEach(async () => {
  for (const child of [...children]) await killed(child);
});

/** The query of the client's tests, verbatim. */
const LINK_QUERY = (from: string) => `fromStream("${from}").when({
            $any: function(state, ev) {
              linkTo('a-' + ev.data.some, ev)
            }
          });`;

/** The first `count` events of `stream` as a subscriber gets them (links resolved). */
function firstEvents(client: EventStoreDBClient, stream: string, count: number) {
  return collect(
    client.subscribeToStream(stream, { resolveLinkTos: true }),
    (events) => events.length >= count,
  );
}

/** Asks for the status until `done` holds (each ask is a round trip: no timer involved). */
async function statusWhen(
  client: EventStoreDBClient,
  name: string,
  done: (status: ProjectionDetails) => boolean,
): Promise<ProjectionDetails> {
  for (;;) {
    const status = await client.getProjectionStatus(name);
    if (done(status)) return status;
  }
}

const metadataOf = (resolved: ResolvedEvent) =>
  (resolved.link ?? resolved.event)!.metadata as unknown as Record<string, unknown>;

describe('user-defined JavaScript projections', () => {
  it("readStream 'resolve link tos': the link, its target with resolveLinkTos, $causedBy", async () => {
    const { client } = await start();
    await client.enableProjection('$by_category');
    await client.createProjection('projection', LINK_QUERY('link-from-stream'), {
      emitEnabled: true,
    });
    await client.appendToStream(
      'link-from-stream',
      jsonEvent({ type: 'linky', data: { some: 'thing' } }),
    );
    // The client's test waits 1 s; here, for the link itself.
    await firstEvents(client, 'a-thing', 1);

    const [noResolve] = await readAllOf(client.readStream('a-thing', { maxCount: 1 }));
    expect(noResolve!.event?.type).toBe('$>');
    const [doResolve] = await readAllOf(
      client.readStream('a-thing', { maxCount: 1, resolveLinkTos: true }),
    );
    expect(doResolve!.event?.type).toBe('linky');
    expect(doResolve!.event?.data).toEqual({ some: 'thing' });
    expect(doResolve!.link?.type).toBe('$>');
    expect(doResolve!.event?.id).toBe(metadataOf(noResolve!).$causedBy);
    expect(doResolve!.event?.id).toBe(metadataOf(doResolve!).$causedBy);
    expect(Buffer.from(noResolve!.event!.data as Uint8Array).toString()).toBe('0@link-from-stream');
  });

  it("readAll 'resolve link tos': the first $> of $all resolves to the linked event", async () => {
    const { client } = await start();
    await client.appendToStream('stream_name_a', [event('a'), event('b')]);
    await client.enableProjection('$by_category');
    await client.createProjection('projection', LINK_QUERY('link-from-stream'), {
      emitEnabled: true,
    });
    await client.appendToStream(
      'link-from-stream',
      jsonEvent({ type: 'linky', data: { some: 'thing' } }),
    );
    await firstEvents(client, 'a-thing', 1);

    let noResolve: ResolvedEvent | undefined;
    const read = client.readAll();
    for await (const resolved of read) {
      if (resolved.event?.type !== '$>') continue;
      noResolve = resolved;
      break;
    }
    // Leaving the loop early does not end the call with this client (README): cancel it.
    await read.cancel();
    expect(noResolve?.event?.type).toBe('$>');
    const [doResolve] = await readAllOf(
      client.readAll({
        maxCount: 1,
        resolveLinkTos: true,
        fromPosition: noResolve!.event!.position,
      }),
    );
    expect(doResolve!.event?.type).toBe('linky');
    expect(doResolve!.link?.type).toBe('$>');
    expect(doResolve!.event?.id).toBe(metadataOf(noResolve!).$causedBy);
    expect(doResolve!.event?.id).toBe(metadataOf(doResolve!).$causedBy);
  });

  it('catches up from the start of $all, then follows live appends, stamped as EventStoreDB stamps them', async () => {
    const { client } = await start();
    const first = await client.appendToStream('order-1', event('Placed', { total: 5 }), {});
    await client.appendToStream('order-2', [event('Placed', { total: 7 }), event('Ignored')]);
    await client.appendToStream('$system-x', event('Placed', { total: 100 }));
    await client.createProjection(
      'totals',
      `fromCategory('order').when({
        $init: function () { return { count: 0, total: 0 }; },
        Placed: function (s, e) {
          s.count += 1;
          s.total += e.data.total;
          emit('totals-out', 'Counted', { stream: e.streamId, n: e.sequenceNumber, body: e.body.total },
            { source: e.eventType });
          return s;
        }
      }).transformBy(function (s) { return { average: s.total / s.count }; });`,
      { emitEnabled: true },
    );
    const caughtUp = await firstEvents(client, 'totals-out', 2);
    expect(caughtUp.map((e) => e.event!.data)).toEqual([
      { stream: 'order-1', n: 0, body: 5 },
      { stream: 'order-2', n: 0, body: 7 },
    ]);
    const metadata = caughtUp[0]!.event!.metadata as Record<string, unknown>;
    expect(metadata.source).toBe('Placed');
    expect(metadata.$v).toMatch(/^6:0:0:4$/);
    expect(BigInt(metadata.$p as number)).toBe(first.position!.prepare);
    expect(caughtUp[0]!.event!.type).toBe('Counted');

    await client.appendToStream('order-3', event('Placed', { total: 30 }));
    await firstEvents(client, 'totals-out', 3);
    expect(await client.getProjectionState('totals')).toEqual({ count: 3, total: 42 });
    expect(await client.getProjectionResult('totals')).toEqual({ average: 14 });
    const status = await client.getProjectionStatus('totals');
    expect(status.projectionStatus).toBe(RUNNING);
    const listed = await client.listProjections();
    expect(listed.map((p) => p.name)).toEqual(['$by_category', 'totals']);
  });

  it('hands handlers the event as EventStoreDB does (data, body, bodyRaw, metadata, isJson, ...)', async () => {
    const { client } = await start();
    await client.appendToStream(
      'shape-1',
      jsonEvent({ type: 'Shaped', data: { a: 1 }, metadata: { $correlationId: 'corr-1', m: 2 } }),
    );
    await client.createProjection(
      'shape',
      `fromStreams(['shape-1']).when({
        Shaped: function (s, e) {
          emit('shape-out', 'Seen', {
            data: e.data, body: e.body, bodyRaw: e.bodyRaw, metadata: e.metadata,
            isJson: e.isJson, eventType: e.eventType, streamId: e.streamId,
            sequenceNumber: e.sequenceNumber, eventId: e.eventId,
            noProcess: typeof process, noRequire: typeof require
          });
        }
      });`,
      { emitEnabled: true },
    );
    const [seen] = await firstEvents(client, 'shape-out', 1);
    const [source] = await readAllOf(client.readStream('shape-1'));
    expect(seen!.event!.data).toEqual({
      data: { a: 1 },
      body: { a: 1 },
      bodyRaw: '{"a":1}',
      metadata: { $correlationId: 'corr-1', m: 2 },
      isJson: true,
      eventType: 'Shaped',
      streamId: 'shape-1',
      sequenceNumber: 0,
      eventId: source!.event!.id,
      noProcess: 'undefined',
      noRequire: 'undefined',
    });
    // The source's correlation id is carried on, as on EventStoreDB.
    expect(metadataOf(seen!).$correlationId).toBe('corr-1');
  });

  it('a projection that throws is Faulted with the message; the server goes on', async () => {
    const { client } = await start();
    await client.createProjection(
      'thrower',
      `fromStream('boom-1').when({ Bad: function () { throw new Error('handler says no'); } });`,
    );
    await client.appendToStream('boom-1', event('Bad'));
    const status = await statusWhen(client, 'thrower', (s) => s.projectionStatus !== RUNNING);
    expect(status.projectionStatus).toBe(FAULTED);
    expect(status.stateReason).toBe('handler says no');
    await client.appendToStream('still-1', event('Fine'));
    expect(await readAllOf(client.readStream('still-1'))).toHaveLength(1);
    expect((await client.getProjectionStatus('$by_category')).projectionStatus).toBe(STOPPED);
  });

  it('a query cannot reach the server through the obvious paths, nor hang it by what it throws', async () => {
    const { client } = await start();
    await client.createProjection(
      'escape',
      `fromStream('esc-1').when({ $any: function () { return this.constructor.constructor('return process')(); } });`,
    );
    await client.createProjection(
      'getter',
      `fromStream('esc-1').when({ $any: function () { throw { get message() { while (true) {} } }; } });`,
    );
    await client.createProjection(
      'stringify',
      `fromStream('esc-1').when({ $any: function () { JSON.stringify = function () { return { toString: function () { while (true) {} } }; }; } });`,
    );
    await client.appendToStream('esc-1', event('Try'));
    const escaped = await statusWhen(client, 'escape', (s) => s.projectionStatus !== RUNNING);
    expect(escaped.stateReason).toMatch(/Code generation from strings disallowed/);
    const getter = await statusWhen(client, 'getter', (s) => s.projectionStatus !== RUNNING);
    expect(getter.stateReason).toBe('The projection script threw a value that is not an Error');
    const stringify = await statusWhen(client, 'stringify', (s) => s.projectionStatus !== RUNNING);
    expect(stringify.stateReason).toBe(
      'The projection script returned a value the server cannot read',
    );
    await client.appendToStream('esc-2', event('Fine'));
    expect(await readAllOf(client.readStream('esc-2'))).toHaveLength(1);
  });

  it('an infinite loop is stopped by the execution timeout and faults only its projection', async () => {
    const { client } = await start();
    await client.createProjection(
      'spinner',
      `fromStream('spin-1').when({ Spin: function () { while (true) {} } });`,
    );
    await client.createProjection('linker', LINK_QUERY('spin-1'), { emitEnabled: true });
    await client.appendToStream('spin-1', jsonEvent({ type: 'Spin', data: { some: 'spun' } }));
    const status = await statusWhen(client, 'spinner', (s) => s.projectionStatus !== RUNNING);
    expect(status.projectionStatus).toBe(FAULTED);
    expect(status.stateReason).toMatch(/^Projection script took too long to execute/);
    // The other projection still runs.
    const [linked] = await firstEvents(client, 'a-spun', 1);
    expect(linked!.event!.type).toBe('Spin');
  });

  it('refuses what it does not run, a duplicate name, and emitting without emitEnabled', async () => {
    const { client } = await start();
    await expect(
      client.createProjection('p1', `fromAll().foreachStream().when({ $any: function () {} })`),
    ).rejects.toThrow(/foreachStream\(\), which the embedded EventStoreDB stand-in does not run/);
    await client.createProjection('p2', LINK_QUERY('never-written'));
    await expect(client.createProjection('p2', LINK_QUERY('x'))).rejects.toThrow(UnknownError);
    await expect(client.createProjection('$by_category', LINK_QUERY('x'))).rejects.toThrow(
      UnknownError,
    );
    await expect(client.getProjectionState('nope')).rejects.toThrow(UnknownError);
    // Created without emitEnabled (the client's default), its linkTo faults it, as on EventStoreDB.
    await client.createProjection('p3', LINK_QUERY('quiet-1'));
    await client.appendToStream('quiet-1', jsonEvent({ type: 'x', data: { some: 'q' } }));
    const status = await statusWhen(client, 'p3', (s) => s.projectionStatus !== RUNNING);
    expect(status.projectionStatus).toBe(FAULTED);
    expect(status.stateReason).toBe("'emit' is not allowed by the projection/configuration/mode");
    // A query that does not compile is created and faults, as on EventStoreDB.
    await client.createProjection('p4', 'fromAll(');
    expect((await client.getProjectionStatus('p4')).projectionStatus).toBe(FAULTED);
  });

  it('deletes a stopped projection; the name can be created again, starting afresh', async () => {
    const { client } = await start();
    const query = (step: number) => `fromStream('del-1').when({
      $init: function () { return { n: 0 }; },
      $any: function (s) { s.n += ${step}; return s; }
    });`;
    await client.createProjection('deletable', query(1));
    await client.appendToStream('del-1', [event('A'), event('B')]);
    await statusWhen(
      client,
      'deletable',
      (s) => s.eventsProcessedAfterRestart > 0n && s.progress === 100,
    );
    expect(await client.getProjectionState('deletable')).toEqual({ n: 2 });
    await expect(client.deleteProjection('deletable')).rejects.toThrow(
      "Cannot delete a projection that hasn't been stopped or faulted.",
    );
    await client.disableProjection('deletable');
    await client.deleteProjection('deletable');
    await expect(client.getProjectionStatus('deletable')).rejects.toThrow(UnknownError);
    expect((await client.listProjections()).map((p) => p.name)).toEqual(['$by_category']);
    // Created again: its own state, not the checkpoint the deleted one left.
    await client.createProjection('deletable', query(10));
    await client.appendToStream('del-1', event('C'));
    const status = await statusWhen(client, 'deletable', (s) => s.progress === 100);
    expect(status.projectionStatus).toBe(RUNNING);
    expect(await client.getProjectionState('deletable')).toEqual({ n: 30 });
  });

  it('after abort and enable, replays from the start without emitting anything twice', async () => {
    const { client } = await start();
    await client.createProjection(
      'counter',
      `fromStream('count-1').when({
        $init: function () { return { n: 0 }; },
        $any: function (s, e) { s.n++; linkTo('counted-1', e); linkTo('counted-2', e); return s; }
      });`,
      { emitEnabled: true },
    );
    await client.appendToStream('count-1', [event('One'), event('Two')]);
    await firstEvents(client, 'counted-2', 2);
    // Abort writes no checkpoint: enabling again replays from the start of $all.
    await client.abortProjection('counter');
    expect((await client.getProjectionStatus('counter')).projectionStatus).toBe(ABORTED);
    await client.appendToStream('count-1', event('Three'));
    await client.enableProjection('counter');
    await firstEvents(client, 'counted-2', 3);
    const links = await readAllOf(client.readStream('counted-1'));
    expect(links.map((e) => Buffer.from(e.event!.data as Uint8Array).toString())).toEqual([
      '0@count-1',
      '1@count-1',
      '2@count-1',
    ]);
    expect(await client.getProjectionState('counter')).toEqual({ n: 3 });
    await client.disableProjection('counter');
    expect((await client.getProjectionStatus('counter')).projectionStatus).toBe(STOPPED);
  });

  it('survives restarts: definition, state and emitted events, with nothing written twice', async () => {
    const dir = freshDir('tally-es-userproj-');
    const first = await start(dir);
    await first.client.createProjection(
      'durable',
      `fromAll().when({
        $init: function () { return { n: 0 }; },
        Tick: function (s, e) { s.n++; linkTo('ticks-out', e); return s; }
      });`,
      { emitEnabled: true },
    );
    await first.client.appendToStream('tick-1', [event('Tick'), event('Tick')]);
    await firstEvents(first.client, 'ticks-out', 2);
    await stop(first);

    const second = await start(dir);
    expect((await second.client.getProjectionStatus('durable')).projectionStatus).toBe(RUNNING);
    await second.client.appendToStream('tick-1', event('Tick'));
    await firstEvents(second.client, 'ticks-out', 3);
    expect(await second.client.getProjectionState('durable')).toEqual({ n: 3 });
    await second.client.disableProjection('durable');
    await stop(second);

    const third = await start(dir);
    expect((await third.client.getProjectionStatus('durable')).projectionStatus).toBe(STOPPED);
    await third.client.appendToStream('tick-1', event('Tick'));
    await third.client.enableProjection('durable');
    await firstEvents(third.client, 'ticks-out', 4);
    const links = await readAllOf(third.client.readStream('ticks-out'));
    expect(links.map((e) => Buffer.from(e.event!.data as Uint8Array).toString())).toEqual([
      '0@tick-1',
      '1@tick-1',
      '2@tick-1',
      '3@tick-1',
    ]);
    expect(await third.client.getProjectionState('durable')).toEqual({ n: 4 });
  });

  it('after a SIGKILL (no checkpoint yet), replays its events without emitting anything twice', async () => {
    const dir = freshDir('tally-es-userproj-crash-');
    const first = await startChild(dir);
    const client = EventStoreDBClient.connectionString(first.url);
    await client.createProjection(
      'crashy',
      `fromStream('crash-src').when({
        $init: function () { return { n: 0 }; },
        Step: function (s, e) { s.n++; linkTo('crash-out-1', e); linkTo('crash-out-2', e); return s; }
      });`,
      { emitEnabled: true },
    );
    await client.appendToStream(
      'crash-src',
      Array.from({ length: 50 }, () => event('Step')),
    );
    await firstEvents(client, 'crash-out-2', 50);
    await client.dispose();
    // Killed before any checkpoint (4,000 events or a clean close): it starts again from $all's start.
    await killed(first.child);

    const second = await startChild(dir);
    const again = EventStoreDBClient.connectionString(second.url);
    await again.appendToStream('crash-src', event('Step'));
    await firstEvents(again, 'crash-out-2', 51);
    for (const stream of ['crash-out-1', 'crash-out-2']) {
      const links = await readAllOf(again.readStream(stream));
      expect(links.map((e) => Buffer.from(e.event!.data as Uint8Array).toString())).toEqual(
        Array.from({ length: 51 }, (_, i) => `${i}@crash-src`),
      );
    }
    expect(await again.getProjectionState('crashy')).toEqual({ n: 51 });
    await again.dispose();
  });
});
