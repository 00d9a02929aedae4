import { BSONRegExp } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

describe('embedded mongo: $regexMatch, $regexFind, $regexFindAll (RE2, linear time)', () => {
  const ctx = useEmbeddedMongo();
  const coll = async (docs: Array<{ _id: number; s?: unknown }>) => {
    const c = ctx.client.db(freshName('db')).collection<{ _id: number; s?: unknown }>(freshName());
    await c.insertMany(docs);
    return c;
  };
  const project = async (docs: Array<{ _id: number; s?: unknown }>, expr: object) =>
    (
      await (
        await coll(docs)
      )
        .aggregate([{ $sort: { _id: 1 } }, { $project: { _id: 0, r: expr } }])
        .toArray()
    ).map((d) => d.r);

  it('matches, finds and finds all with mongod’s results: idx in code points, null for an unused group', async () => {
    const docs = [{ _id: 1, s: 'héllo wörld' }, { _id: 2, s: null }, { _id: 3 }];
    expect(await project(docs, { $regexMatch: { input: '$s', regex: 'W', options: 'i' } })).toEqual(
      [true, false, false],
    );
    expect(await project(docs, { $regexFind: { input: '$s', regex: '(w)(x)?(ö)' } })).toEqual([
      { match: 'wö', idx: 6, captures: ['w', null, 'ö'] },
      null,
      null,
    ]);
    expect(await project(docs, { $regexFindAll: { input: '$s', regex: /l+/ } })).toEqual([
      [
        { match: 'll', idx: 2, captures: [] },
        { match: 'l', idx: 9, captures: [] },
      ],
      [],
      [],
    ]);
    // An empty match moves on by one character, so no match is found twice.
    expect(
      await project([{ _id: 1, s: 'ab' }], { $regexFindAll: { input: '$s', regex: 'b*' } }),
    ).toEqual([
      [
        { match: '', idx: 0, captures: [] },
        { match: 'b', idx: 1, captures: [] },
      ],
    ]);
  });

  it('honours the options i, m, s and x', async () => {
    const docs = [{ _id: 1, s: 'one\nTwo' }];
    expect(
      await project(docs, { $regexMatch: { input: '$s', regex: '^two$', options: 'im' } }),
    ).toEqual([true]);
    expect(
      await project(docs, { $regexMatch: { input: '$s', regex: 'one.two', options: 'si' } }),
    ).toEqual([true]);
    expect(
      await project(docs, { $regexMatch: { input: '$s', regex: 'one.two', options: 'i' } }),
    ).toEqual([false]);
    expect(
      await project(docs, {
        $regexFind: { input: '$s', regex: ' T w o  # a comment\n', options: 'x' },
      }),
    ).toEqual([{ match: 'Two', idx: 4, captures: [] }]);
  });

  it('answers mongod’s errors for bad arguments and bad regexes', async () => {
    const c = await coll([
      { _id: 1, s: 'x' },
      { _id: 2, s: 5 },
    ]);
    const code = (expr: object) =>
      c
        .aggregate([{ $project: { r: expr } }])
        .toArray()
        .then(
          () => 0,
          (e) => e.code,
        );
    expect(await code({ $regexMatch: 'x' })).toBe(51103);
    expect(await code({ $regexMatch: { input: '$s' } })).toBe(31023);
    expect(await code({ $regexMatch: { regex: 'x' } })).toBe(31022);
    expect(await code({ $regexMatch: { input: '$s', regex: 'x', foo: 1 } })).toBe(31024);
    expect(await code({ $regexMatch: { input: '$s', regex: 'x' } })).toBe(51104);
    expect(await code({ $regexMatch: { input: 'x', regex: 5 } })).toBe(51105);
    expect(await code({ $regexMatch: { input: 'x', regex: 'x', options: 5 } })).toBe(51106);
    expect(
      await code({ $regexMatch: { input: 'x', regex: new BSONRegExp('x', 'i'), options: 'm' } }),
    ).toBe(51107);
    expect(await code({ $regexMatch: { input: 'x', regex: 'x', options: 'q' } })).toBe(51108);
    expect(await code({ $regexFind: { input: 'x', regex: '(' } })).toBe(51111);
    // RE2 has no backreferences: refused as an invalid regex, never run unbounded.
    expect(await code({ $regexFindAll: { input: 'aa', regex: '(a)\\1' } })).toBe(51111);
  });

  it('^(a+)+$ against 40 a’s and a b answers (no match) instead of backtracking for minutes', async () => {
    const evil = `${'a'.repeat(40)}b`;
    expect(
      await project([{ _id: 1, s: evil }], {
        m: { $regexMatch: { input: '$s', regex: '^(a+)+$' } },
        f: { $regexFind: { input: '$s', regex: '^(a+)+$' } },
        all: { $regexFindAll: { input: '$s', regex: '^(a+)+$' } },
      }),
    ).toEqual([{ m: false, f: null, all: [] }]);
  });
});
