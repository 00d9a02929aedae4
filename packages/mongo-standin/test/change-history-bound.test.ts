import { describe, expect, it } from 'vitest';
import { ChangeLog } from '../src/changes/change-log.js';
import { ClusterClock } from '../src/changes/cluster-clock.js';
import { Store } from '../src/storage/store.js';
import { collectGarbage } from './gc.js';

/**
 * `changeHistory` is documented as the memory bound of change streams' history (mongod's oplog
 * size): once it is full, each new change must free the oldest. Before, the history trimmed its
 * array in chunks and kept up to twice the bound alive, with the documents the records hold.
 */
describe('the change history bound', () => {
  function historyOf(capacity: number) {
    const store = new Store();
    const changes = new ChangeLog(new ClusterClock(), capacity);
    store.onEvent((event) => changes.record(event));
    const collection = store.getOrCreate('db', 'c');
    // Changes are numbered from the collection's create event on.
    const created = changes.lastSeq;
    return {
      changes,
      created,
      insert: (_id: string) => collection.insert({ _id, payload: 'x'.repeat(64) }),
    };
  }

  it('keeps exactly the newest `changeHistory` changes', () => {
    const { changes, created, insert } = historyOf(1000);
    for (let i = 0; i <= 1000; i++) insert(`d${i}`);

    expect(changes.lastSeq).toBe(created + 1001);
    expect(changes.oldestSeq).toBe(created + 2);
    const kept = changes.since(created + 1, 2000);
    expect(kept.map((r) => r.documentKey)).toEqual(
      Array.from({ length: 1000 }, (_, i) => ({ _id: `d${i + 1}` })),
    );
    expect(() => changes.since(created, 1)).toThrow(/no longer be in the oplog/);
  });

  it('frees a dropped record, so nothing it points to stays alive', async () => {
    const { changes, created, insert } = historyOf(100);
    insert('first');
    const record = new WeakRef(changes.since(created, 1)[0]!);
    for (let i = 0; i < 100; i++) insert(`d${i}`);
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(record.deref()).toBeUndefined();
  });

  it('finds the change before a cluster time across the ring’s wrap', () => {
    const { changes, created, insert } = historyOf(10);
    for (let i = 0; i < 25; i++) insert(`d${i}`);
    const records = changes.since(created + 15, 10);
    expect(records.map((r) => r.documentKey?._id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `d${i + 15}`),
    );
    expect(changes.seqBefore(records[3]!.clusterTime)).toBe(records[2]!.seq);
    // Before the oldest kept change: the change before it, as far as the history knows.
    expect(changes.seqBefore(records[0]!.clusterTime)).toBe(records[0]!.seq - 1);
  });
});
