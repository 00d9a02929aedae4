import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_FILE_NAME, startEmbeddedEventStore } from '../src/index.js';
import { ownStores } from './own-stores.js';
import { event, readAllOf } from './support.js';

const { start, stop, freshDir } = ownStores();

const summary = (events: Awaited<ReturnType<typeof readAllOf>>) =>
  events.map((e) => ({
    stream: e.event!.streamId,
    revision: e.event!.revision,
    id: e.event!.id,
    position: e.event!.position,
    created: e.event!.created.getTime(),
    data: e.event!.data,
  }));

describe('durability', () => {
  it('keeps events, revisions and positions across a restart and carries on from them', async () => {
    const dir = freshDir();
    const first = await start(dir);
    await first.client.appendToStream('account-1', [
      event('Opened', { n: 1 }),
      event('Deposited', { n: 2 }),
    ]);
    await first.client.appendToStream('account-2', event('Opened', { n: 3 }));
    await first.client.setStreamMetadata('account-2', { maxCount: 5 });
    const before = summary(await readAllOf(first.client.readAll()));
    await stop(first);

    const second = await start(dir);
    // 4 events of ours and the `$settings` event a new store starts with.
    expect(second.store.recovery).toMatchObject({ events: 5, cutBytes: 0 });
    expect(summary(await readAllOf(second.client.readAll()))).toEqual(before);
    const next = await second.client.appendToStream('account-1', event('Withdrawn'), {
      expectedRevision: 1n,
    });
    expect(next.nextExpectedRevision).toBe(2n);
    expect(next.position!.commit > (before[before.length - 1]!.position!.commit ?? 0n)).toBe(true);
    expect((await second.client.getStreamMetadata('account-2')).metadata).toEqual({ maxCount: 5 });
  });

  it('still recognises a retried append after a restart', async () => {
    const dir = freshDir();
    const first = await start(dir);
    const batch = [
      event('Opened', {}, crypto.randomUUID()),
      event('Deposited', {}, crypto.randomUUID()),
    ];
    const original = await first.client.appendToStream('retried', batch);
    await stop(first);

    const second = await start(dir);
    const retry = await second.client.appendToStream('retried', batch, { expectedRevision: 'any' });
    expect(retry.nextExpectedRevision).toBe(original.nextExpectedRevision);
    expect(retry.position).toEqual(original.position);
    expect(await readAllOf(second.client.readStream('retried'))).toHaveLength(2);
  });

  it('cuts a torn tail on start, reports it, and never serves the half-written event', async () => {
    const dir = freshDir();
    const first = await start(dir);
    await first.client.appendToStream('torn', [event('Kept')]);
    await first.client.appendToStream('torn', [event('Torn', { payload: 'x'.repeat(500) })]);
    await stop(first);
    const file = join(dir, LOG_FILE_NAME);
    truncateSync(file, statSync(file).size - 100);

    const second = await start(dir);
    expect(second.store.recovery.cutBytes).toBeGreaterThan(0);
    expect(second.store.recovery.cutReason).toMatch(/torn/);
    const types = (await readAllOf(second.client.readStream('torn'))).map((e) => e.event!.type);
    expect(types).toEqual(['Kept']);
    // The revision of the lost append is free again.
    const again = await second.client.appendToStream('torn', event('Again'), {
      expectedRevision: 0n,
    });
    expect(again.nextExpectedRevision).toBe(1n);
  });

  it('cuts from a record whose checksum does not match', async () => {
    const dir = freshDir();
    const first = await start(dir);
    await first.client.appendToStream('corrupt', [event('Good')]);
    const bad = await first.client.appendToStream('corrupt', [
      event('Flipped', { value: 'abcdef' }),
    ]);
    await stop(first);
    const file = join(dir, LOG_FILE_NAME);
    const bytes = readFileSync(file);
    const at = Number(bad.position!.prepare) + 40;
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);

    const second = await start(dir);
    expect(second.store.recovery.cutReason).toMatch(/checksum/);
    const types = (await readAllOf(second.client.readStream('corrupt'))).map((e) => e.event!.type);
    expect(types).toEqual(['Good']);
  });

  it('drops a multi-event append whole when only part of it reached the disk', async () => {
    const dir = freshDir();
    const first = await start(dir);
    await first.client.appendToStream('atomic', [event('Before')]);
    const batch = await first.client.appendToStream('atomic', [event('A'), event('B'), event('C')]);
    await stop(first);
    // Keep the first two records of the three-event append: complete records, unfinished append.
    const file = join(dir, LOG_FILE_NAME);
    truncateSync(file, Number(batch.position!.prepare));

    const second = await start(dir);
    expect(second.store.recovery.cutReason).toMatch(/unfinished append/);
    const types = (await readAllOf(second.client.readStream('atomic'))).map((e) => e.event!.type);
    expect(types).toEqual(['Before']);
  });

  it('refuses a data directory another store is using, and takes over one left by a dead process', async () => {
    const dir = freshDir();
    const first = await start(dir);
    await expect(startEmbeddedEventStore({ dataDir: dir })).rejects.toThrow(/already open/);
    await stop(first);

    // A live process other than us holds it: refused.
    writeFileSync(join(dir, 'LOCK'), String(process.ppid));
    await expect(startEmbeddedEventStore({ dataDir: dir })).rejects.toThrow(/in use by process/);

    // The holder died without cleaning up (SIGKILL): taken over.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, 'LOCK'), String(dead));
    const second = await start(dir);
    await second.client.appendToStream('locked', event('Fine'));
    expect((await readAllOf(second.client.readStream('locked'))).length).toBe(1);
  });

  it('refuses to open a file that is not an event log rather than overwrite it', async () => {
    const dir = freshDir();
    appendFileSync(join(dir, LOG_FILE_NAME), 'definitely not a log');
    await expect(startEmbeddedEventStore({ dataDir: dir })).rejects.toThrow(
      /not a Tally event log/,
    );
  });
});
