import { randomUUID } from 'node:crypto';
import { Long } from 'bson';
import { describe, expect, it } from 'vitest';
import { decodeDocument, encodeDocument } from '../src/data/bson-values.js';
import { Store } from '../src/storage/store.js';
import { heapAfterGc } from './gc.js';

/**
 * The stand-in keeps every document in memory, so what one costs decides how large a ledger
 * `npm start` can hold. A movement of Tally's `transactions` read model, with its three indexes,
 * cost 1,321 bytes of heap: a hash map of key strings beside a red-black tree per index, key
 * tuples allocated with room for 17 values, a second copy of each string `_id`, and fresh copies
 * of the account id, kind, currency and actor in every document. Now about 575.
 */
describe('memory per stored document', () => {
  it('keeps a movement document with three indexes under 800 bytes of heap', () => {
    const store = new Store();
    const movements = store.getOrCreate('ledger', 'transactions');
    movements.createIndex({ name: 'by_account', key: { accountId: 1, revision: -1 } });
    movements.createIndex({
      name: 'by_time',
      key: { accountId: 1, occurredAt: -1, revision: -1 },
    });
    movements.createIndex({ name: 'by_reversal', key: { reverses: 1 }, sparse: true });
    const accounts = Array.from({ length: 32 }, () => randomUUID());
    const count = 20_000;
    const before = heapAfterGc();
    for (let i = 0; i < count; i++) {
      const accountId = accounts[i % accounts.length]!;
      const revision = Math.floor(i / accounts.length);
      // Decoded from BSON, as a write arrives on the wire: every string is a fresh copy.
      movements.insert(
        decodeDocument(
          encodeDocument({
            _id: `${accountId}:${revision}`,
            accountId,
            revision,
            kind: 'DEPOSIT',
            amount: 1234,
            currency: 'USD',
            balanceAfter: 1234 * revision,
            occurredAt: new Date(1_764_000_000_000 + i),
            position: Long.fromNumber(i * 200),
            actor: 'user:alice',
          }),
        ),
      );
    }
    const perDocument = (heapAfterGc() - before) / count;
    expect(movements.docs.size).toBe(count);
    expect(perDocument).toBeLessThan(800);
  });
});
