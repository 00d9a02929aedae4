import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EventStoreDBClient, jsonEvent, StreamNotFoundError } from '@eventstore/db-client';
import { afterAll, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '../src/cli.ts');
const WRITERS = 8;
const KILLS = 4;

interface Acked {
  stream: string;
  revision: bigint;
  id: string;
  commit: bigint;
  prepare: bigint;
}

/**
 * Starts the stand-in as a child process and resolves with its connection string (its first line
 * of stdout); `recovery` resolves with the start-up report it logs when LOG_LEVEL allows.
 */
function startChild(
  dataDir: string,
  logLevel = 'warn',
): Promise<{ child: ChildProcess; url: string; recovery: Promise<Record<string, unknown>> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--port', '0', '--data-dir', dataDir],
    {
      // tsx resolves from the package, whatever directory the test runner started in.
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: logLevel },
    },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines = createInterface({ input: child.stdout! });
  const recovery = new Promise<Record<string, unknown>>((resolve) => {
    lines.on('line', (line) => {
      if (line.includes('"recoveryMs"')) resolve(JSON.parse(line));
    });
  });
  return new Promise((resolve, reject) => {
    lines.once('line', (url) => resolve({ child, url, recovery }));
    child.once('exit', (code) => reject(new Error(`stand-in exited early with ${code}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const children = new Set<ChildProcess>();
const dataDir = mkdtempSync(join(tmpdir(), 'tally-es-crash-'));
afterAll(async () => {
  for (const child of children) await killed(child);
  rmSync(dataDir, { recursive: true, force: true });
});

it('keeps every acknowledged event, whole and in place, across repeated SIGKILLs', async () => {
  const acked: Acked[] = [];
  /** Every append attempted, by first event id: its events must be all there or all absent. */
  const attempted = new Map<string, string[]>();
  const streams = Array.from({ length: WRITERS }, (_, i) => `crash-${i}-${randomUUID()}`);

  for (let round = 0; round < KILLS; round++) {
    const { child, url } = await startChild(dataDir);
    const client = EventStoreDBClient.connectionString(url);
    // Kill after a random number of acknowledgements, while every writer is mid-append.
    const killAfter = acked.length + 20 + Math.floor(Math.random() * 80);
    let stop = false;
    let reachedTarget: () => void = () => {};
    const target = new Promise<void>((resolve) => {
      reachedTarget = resolve;
    });
    const writers = streams.map(async (stream) => {
      let next = await nextRevision(client, stream);
      while (!stop) {
        const events = [
          jsonEvent({ type: 'Pair', data: { n: Number(next) } }),
          jsonEvent({ type: 'Pair', data: { n: Number(next) + 1 } }),
        ];
        attempted.set(
          events[0]!.id,
          events.map((e) => e.id),
        );
        try {
          const result = await client.appendToStream(stream, events, {
            expectedRevision: next === 0n ? 'no_stream' : next - 1n,
          });
          // Both events are acknowledged; the second one's position is the result's.
          acked.push({
            stream,
            revision: next,
            id: events[0]!.id,
            commit: result.position!.commit,
            prepare: -1n,
          });
          acked.push({
            stream,
            revision: next + 1n,
            id: events[1]!.id,
            ...posOf(result.position!),
          });
          next += 2n;
          if (acked.length >= killAfter) reachedTarget();
        } catch {
          return; // the server died under us; the outcome of this append is unknown
        }
      }
    });
    await target;
    stop = true;
    await killed(child);
    await Promise.allSettled(writers);
    // dispose() on a client whose server was killed can wait forever: don't wait for it.
    void client.dispose().catch(() => {});
  }

  const { child, url } = await startChild(dataDir);
  const client = EventStoreDBClient.connectionString(url);
  try {
    for (const stream of streams) {
      const events = [];
      for await (const resolved of client.readStream(stream)) events.push(resolved.event!);
      // Revisions have no holes.
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
      // Appends are whole: each pair is both of one attempted append, in order.
      for (let i = 0; i < events.length; i += 2) {
        expect(attempted.get(events[i]!.id)).toEqual([events[i]!.id, events[i + 1]?.id]);
      }
      // Every acknowledged event is there, at the same revision and position.
      const byRevision = new Map(events.map((e) => [e.revision, e]));
      for (const ack of acked.filter((a) => a.stream === stream)) {
        const stored = byRevision.get(ack.revision);
        expect(stored?.id).toBe(ack.id);
        expect(stored!.position!.commit).toBe(ack.commit);
        if (ack.prepare >= 0n) expect(stored!.position!.prepare).toBe(ack.prepare);
      }
    }
    expect(acked.length).toBeGreaterThanOrEqual(KILLS * 20);
  } finally {
    await client.dispose();
    await killed(child);
  }
});

it('closes cleanly on SIGTERM: exit code 0, nothing to cut on the next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-es-term-'));
  try {
    const { child, url } = await startChild(dir);
    const client = EventStoreDBClient.connectionString(url);
    await client.appendToStream('terminated', [jsonEvent({ type: 'A', data: {} })]);
    void client.dispose().catch(() => {});
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const restarted = await startChild(dir, 'info');
    expect(await restarted.recovery).toMatchObject({ cutBytes: 0 });
    const again = EventStoreDBClient.connectionString(restarted.url);
    const events = [];
    for await (const resolved of again.readStream('terminated')) events.push(resolved.event?.type);
    expect(events).toEqual(['A']);
    void again.dispose().catch(() => {});
    await killed(restarted.child);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function posOf(position: { commit: bigint; prepare: bigint }) {
  return { commit: position.commit, prepare: position.prepare };
}

/** The revision to append at next: after a crash the last append's outcome is unknown. */
async function nextRevision(client: EventStoreDBClient, stream: string): Promise<bigint> {
  try {
    for await (const resolved of client.readStream(stream, {
      direction: 'backwards',
      fromRevision: 'end',
      maxCount: 1,
    })) {
      return resolved.event!.revision + 1n;
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return 0n;
}
