import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../src/log/event-log.js';
import type { NewEvent } from '../src/log/record.js';
import { MemoryStorage } from '../src/log/storage.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/**
 * The log keeps up to 16,000 recent events decoded in its cache. Built with object spreads, V8
 * gave almost every one a hidden class of its own (a map and a descriptor array, about 300
 * bytes): 4.8 MB of a heap snapshot of the stand-in under Tally's load.
 */
describe('a cached event', () => {
  it('costs its record and its fields, not a hidden class of its own', async () => {
    const { log } = await EventLog.open(new MemoryStorage(), () => {});
    const count = 4000;
    const events: NewEvent[] = Array.from({ length: count }, (_, i) => ({
      streamName: `account-${i}`,
      revision: 0n,
      created: 0n,
      id: randomBytes(16),
      type: 'MoneyDeposited',
      contentType: 'application/json',
      data: Buffer.from(JSON.stringify({ amount: i })),
      metadata: Buffer.from('{}'),
      commit: 0,
      transactionEnd: true,
    }));
    const before = heapAfterGc();
    const positions: number[] = [];
    for (let i = 0; i < count; i += 100) {
      const { events: written, durable } = log.reserve(events.slice(i, i + 100).map((e) => [e]));
      await durable;
      for (const event of written) positions.push(event.position);
    }
    const perEvent = (heapAfterGc() - before) / count;
    expect(log.readAt(positions[count - 1]!).streamName).toBe(`account-${count - 1}`);
    // 641 bytes measured; 983 with a hidden class per event.
    expect(perEvent).toBeLessThan(800);
  });
});
