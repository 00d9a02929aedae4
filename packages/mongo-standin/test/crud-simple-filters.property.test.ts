import fc from 'fast-check';
import { Double, Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

/**
 * Filters made of comparisons, `$exists` and `$and`/`$or`/`$nor` skip mingo (data/query.ts,
 * compileSimple). Any filter with `$expr` still goes to mingo, so the same filter wrapped as
 * `{$and: [filter, {$expr: true}]}` must find exactly the same documents: random documents
 * (missing fields, nulls, arrays, mixed numeric types, embedded paths) and random filters,
 * through the official driver.
 */
describe('embedded mongo: simple filters match as the general query engine does', () => {
  const ctx = useEmbeddedMongo();

  const scalar = fc.oneof(
    fc.integer({ min: -3, max: 3 }),
    fc.integer({ min: -3, max: 3 }).map((n) => new Double(n)),
    fc.integer({ min: -3, max: 3 }).map((n) => Long.fromNumber(n)),
    fc.constantFrom('a', 'b', ''),
    fc.constant(null),
    fc.boolean(),
  );
  const value = fc.oneof(
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  );
  const doc = fc.record(
    { a: value, b: value, c: fc.record({ x: value }, { requiredKeys: [] }) },
    { requiredKeys: [] },
  );
  const path = fc.constantFrom('a', 'b', 'c.x');
  const comparison = fc.oneof(
    fc.tuple(path, scalar).map(([p, v]) => ({ [p]: v })),
    fc
      .tuple(path, fc.constantFrom('$eq', '$ne', '$lt', '$lte', '$gt', '$gte'), scalar)
      .map(([p, op, v]) => ({ [p]: { [op]: v } })),
    fc
      .tuple(path, fc.constantFrom('$in', '$nin'), fc.array(scalar, { maxLength: 3 }))
      .map(([p, op, v]) => ({ [p]: { [op]: v } })),
    fc.tuple(path, fc.boolean()).map(([p, v]) => ({ [p]: { $exists: v } })),
  );
  const filter: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      comparison,
      fc
        .tuple(
          fc.constantFrom('$and', '$or', '$nor'),
          fc.array(tie('filter'), { minLength: 1, maxLength: 3 }),
        )
        .map(([op, parts]) => ({ [op]: parts })),
      fc.tuple(comparison, comparison).map(([x, y]) => ({ ...x, ...y })),
    ),
  })).filter as fc.Arbitrary<Record<string, unknown>>;

  it('finds the same documents with and without the fast path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(doc, { minLength: 1, maxLength: 10 }), filter, async (docs, f) => {
        const c = ctx.client
          .db(freshName('db'))
          .collection<{ _id: number } & Record<string, unknown>>(freshName());
        await c.insertMany(docs.map((d, i) => ({ _id: i, ...d })));
        const ids = async (query: Record<string, unknown>) =>
          (await c.find(query).project({ _id: 1 }).toArray()).map((d) => d._id).sort();
        const general = await ids({ $and: [f, { $expr: true }] });
        expect(await ids(f)).toEqual(general);
        await c.drop();
      }),
      { numRuns: Number(process.env.FILTER_RUNS ?? 60) },
    );
  });
});
