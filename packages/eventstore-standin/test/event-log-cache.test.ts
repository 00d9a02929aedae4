import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../src/log/event-log.js';
import type { NewEvent } from '../src/log/record.js';
import { MemoryStorage } from '../src/log/storage.js';

/**
 * The log caches recent events for subscribers and reads. What a cached event keeps alive must
 * be its own record, not the buffer its bytes arrived in: a gRPC message buffer, or a slice of
 * Node's shared 8 KiB pool. Before, every cached event pinned about 8 KiB, and the cache's
 * 64 MiB byte budget was really about ten times that.
 */
describe('the event log cache', () => {
  const arrivedIn = (message: Buffer, from: number, length: number) =>
    message.subarray(from, from + length);

  async function appendOne(log: EventLog, message: Buffer): Promise<number> {
    const event: NewEvent = {
      streamName: 'account-1',
      revision: 0n,
      created: 0n,
      id: arrivedIn(message, 0, 16),
      type: 'Deposited',
      contentType: 'application/json',
      data: arrivedIn(message, 16, 200),
      metadata: arrivedIn(message, 216, 40),
      commit: 0,
      transactionEnd: true,
    };
    const { events, durable } = log.reserve([[event]]);
    await durable;
    return events[0]!.position;
  }

  it('keeps an appended event as views of its own record, not of the message it came in', async () => {
    const { log } = await EventLog.open(new MemoryStorage(), () => {});
    const message = randomBytes(64 * 1024);
    const position = await appendOne(log, message);

    const cached = log.readAt(position);
    expect(cached.data).toEqual(message.subarray(16, 216));
    expect(cached.metadata).toEqual(message.subarray(216, 256));
    expect(cached.id).toEqual(message.subarray(0, 16));
    for (const bytes of [cached.id, cached.data, cached.metadata]) {
      expect(bytes.buffer).not.toBe(message.buffer);
      expect(bytes.buffer.byteLength).toBe(cached.size);
    }
    // The caller may reuse its buffer: the log's copy does not change.
    message.fill(0);
    expect(log.readAt(position).data.some((byte) => byte !== 0)).toBe(true);
  });

  it('keeps an event read back from storage in an exact copy of its record', async () => {
    const storage = new MemoryStorage();
    const first = await EventLog.open(storage, () => {});
    const position = await appendOne(first.log, randomBytes(1024));
    // A second log on the same bytes has an empty cache, so this read goes to storage.
    const { log } = await EventLog.open(storage, () => {});
    const read = log.readAt(position);
    expect(read.data.length).toBe(200);
    expect(read.data.buffer.byteLength).toBe(read.size);
  });
});
