import fc from 'fast-check';
import { type Collection, type Document, Double, type Filter, Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

/**
 * An index only changes how documents are found, never which: after random inserts, updates
 * and deletes (keys shared by many documents, keys moving between documents, arrays, missing
 * fields, mixed numeric types, strings on both sides of the surrogate range), a collection with
 * indexes answers every filter, sort and limit as the same collection without them does.
 */
interface Row {
  _id: number;
  a?: unknown;
  b?: number;
  s?: string;
}

describe('embedded mongo: indexes find what a scan finds', () => {
  const ctx = useEmbeddedMongo();

  const scalar = fc.oneof(
    fc.integer({ min: -2, max: 3 }),
    fc.integer({ min: -2, max: 3 }).map((n) => new Double(n)),
    fc.integer({ min: -2, max: 3 }).map((n) => Long.fromNumber(n)),
    fc.constantFrom('a', 'ab', '\uE000', '\u{1F600}'),
    fc.constant(null),
  );
  const aValue = fc.oneof(
    { weight: 5, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  );
  const bValue = fc.integer({ min: 0, max: 4 });
  const fields = fc.record({ a: aValue, b: bValue }, { requiredKeys: [] });
  const write = fc.oneof(
    fc.record({ insert: fields }),
    fc.record({ update: fc.nat(), set: fields }),
    fc.record({ remove: fc.nat() }),
  );
  const filter = fc.oneof(
    scalar.map((v) => ({ a: v })),
    fc.tuple(scalar, bValue).map(([v, b]) => ({ a: v, b: { $gte: b } })),
    fc.tuple(scalar, bValue, bValue).map(([v, lo, hi]) => ({ a: v, b: { $gt: lo, $lte: hi } })),
    fc.array(scalar, { minLength: 1, maxLength: 3 }).map((vs) => ({ a: { $in: vs } })),
    fc.tuple(fc.constantFrom('$lt', '$lte', '$gt', '$gte'), scalar).map(([op, v]) => ({
      a: { [op]: v },
    })),
    bValue.map((b) => ({ b: { $lt: b } })),
    fc.constant({}),
  );
  const query = fc.record({
    filter,
    sort: fc.constantFrom(undefined, { b: 1 }, { b: -1 }),
    limit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  });

  it('after random writes, answers random queries as an unindexed collection does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(write, { maxLength: 40 }),
        fc.array(query, { minLength: 1, maxLength: 8 }),
        async (writes, queries) => {
          const db = ctx.client.db(freshName('db'));
          const plain = db.collection<Row>(freshName());
          const indexed = db.collection<Row>(freshName());
          await indexed.createIndex({ a: 1, b: -1 });
          await indexed.createIndex({ b: 1 });
          await indexed.createIndex({ a: 1 }, { sparse: true });
          let next = 0;
          for (const w of writes) {
            for (const c of [plain, indexed]) {
              if ('insert' in w) await c.insertOne({ _id: next, ...w.insert });
              else if ('update' in w)
                await c.replaceOne({ _id: next ? w.update % next : 0 }, w.set);
              else await c.deleteOne({ _id: next ? w.remove % next : 0 });
            }
            if ('insert' in w) next++;
          }
          for (const q of queries) {
            const run = async (c: Collection<Row>) => {
              let cursor = c.find(q.filter as Filter<Row>);
              if (q.sort) cursor = cursor.sort(q.sort);
              if (q.limit) cursor = cursor.limit(q.limit);
              return cursor.toArray();
            };
            const [fromScan, fromIndex] = [await run(plain), await run(indexed)];
            const label = JSON.stringify(q);
            if (!q.limit) {
              const ids = (docs: Document[]) => docs.map((d) => d._id).sort((x, y) => x - y);
              expect(ids(fromIndex), label).toEqual(ids(fromScan));
            } else expect(fromIndex.length, label).toBe(fromScan.length);
            // Documents tied on the sort key may come in any order, their keys may not.
            if (q.sort) {
              const keys = (docs: Document[]) => docs.map((d) => d.b ?? null);
              expect(keys(fromIndex), label).toEqual(keys(fromScan));
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('orders strings by their UTF-8 bytes, with or without an index', async () => {
    // UTF-16 puts a surrogate pair (U+1F600) before U+E000; UTF-8, and so mongod, after it.
    const strings = ['\u{1F600}', 'z', '\uE000', 'ab', '\uFFFF', 'a'];
    const expected = ['a', 'ab', 'z', '\uE000', '\uFFFF', '\u{1F600}'];
    const c = ctx.client.db(freshName('db')).collection<Row>(freshName());
    await c.insertMany(strings.map((s, i) => ({ _id: i, s })));
    const sorted = async () => (await c.find().sort({ s: 1 }).toArray()).map((d) => d.s);
    const above = async () => (await c.find({ s: { $gt: 'z' } }).toArray()).map((d) => d.s).sort();
    expect(await sorted()).toEqual(expected);
    expect(await above()).toEqual(['\uE000', '\uFFFF', '\u{1F600}'].sort());
    await c.createIndex({ s: 1 });
    expect(await sorted()).toEqual(expected);
    expect(await above()).toEqual(['\uE000', '\uFFFF', '\u{1F600}'].sort());
  });
});
