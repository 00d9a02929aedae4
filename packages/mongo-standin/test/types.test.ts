import {
  Binary,
  BSONRegExp,
  Decimal128,
  type Document,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'mongodb';
import { describe, expect, it } from 'vitest';
import { freshName, useEmbeddedMongo } from './support.js';

describe('embedded mongo: BSON type fidelity, comparison and sort order', () => {
  const ctx = useEmbeddedMongo();
  // biome-ignore lint/suspicious/noExplicitAny: documents of every BSON type
  const coll = () => ctx.client.db(freshName('db')).collection<any>(freshName());
  const raw = { promoteValues: false, promoteLongs: false } as const;

  it('stores every BSON type exactly as sent', async () => {
    const c = coll();
    const doc = {
      _id: new ObjectId(),
      int: new Int32(7),
      long: Long.fromString('-9223372036854775808'),
      double: new Double(2),
      decimal: Decimal128.fromString('1234567890.123456789012345'),
      date: new Date('2024-02-29T12:00:00Z'),
      binary: new Binary(Buffer.from([1, 2, 3]), 4),
      ts: new Timestamp({ t: 5, i: 6 }),
      nil: null,
      nested: { arr: [new Int32(1), new Double(1.5), 'x'] },
    };
    await c.insertOne(doc);
    const back = await c.findOne({ _id: doc._id }, raw);
    expect(back?.int._bsontype).toBe('Int32');
    expect(back?.long.toString()).toBe('-9223372036854775808');
    expect(back?.double._bsontype).toBe('Double');
    expect(back?.double.valueOf()).toBe(2);
    expect(back?.decimal.toString()).toBe('1234567890.123456789012345');
    expect(back?.date.toISOString()).toBe('2024-02-29T12:00:00.000Z');
    expect(back?.binary.sub_type).toBe(4);
    expect(back?.ts.toString()).toBe(doc.ts.toString());
    expect(back).toHaveProperty('nil', null);
    expect(back).not.toHaveProperty('missing');
    expect(back?.nested.arr.map((v: { _bsontype?: string }) => v._bsontype ?? typeof v)).toEqual([
      'Int32',
      'Double',
      'string',
    ]);
  });

  it('keeps result types in $inc: int+int=int, long+int=long, int+double=double, decimal stays decimal', async () => {
    const c = coll();
    await c.insertOne({
      _id: 1,
      i: new Int32(1),
      l: Long.fromNumber(1),
      d: new Int32(1),
      m: Decimal128.fromString('0.10'),
    });
    await c.updateOne(
      { _id: 1 },
      {
        $inc: {
          i: new Int32(2),
          l: new Int32(2),
          d: new Double(0.5),
          m: Decimal128.fromString('0.20'),
        },
      },
    );
    const back = await c.findOne({ _id: 1 }, raw);
    expect([back?.i._bsontype, back?.l._bsontype, back?.d._bsontype, back?.m._bsontype]).toEqual([
      'Int32',
      'Long',
      'Double',
      'Decimal128',
    ]);
    expect(back?.m.toString()).toBe('0.30');
    await c.updateOne({ _id: 1 }, { $inc: { i: new Int32(2147483647) } });
    expect((await c.findOne({ _id: 1 }, raw))?.i._bsontype).toBe('Long'); // int32 overflow widens
  });

  it('compares numbers across types by value: NumberLong(5) equals 5 and 5.0', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 'int', v: 5 },
      { _id: 'long', v: Long.fromNumber(5) },
      { _id: 'double', v: new Double(5) },
      { _id: 'dec', v: Decimal128.fromString('5.00') },
      { _id: 'six', v: 6 },
    ]);
    const ids = async (filter: Document) =>
      (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ v: 5 })).toEqual(['dec', 'double', 'int', 'long']);
    expect(await ids({ v: Long.fromNumber(5) })).toEqual(['dec', 'double', 'int', 'long']);
    expect(await ids({ v: { $gt: new Double(5) } })).toEqual(['six']);
    expect(await ids({ v: { $in: [Decimal128.fromString('6')] } })).toEqual(['six']);
  });

  it('compares Decimal128 with doubles by exact value: 0.5 equals, 0.1 does not', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 'half', v: 0.5 },
      { _id: 'tenth', v: 0.1 },
    ]);
    expect(
      (await c.find({ v: Decimal128.fromString('0.50') }).toArray()).map((d) => d._id),
    ).toEqual(['half']);
    expect(await c.countDocuments({ v: Decimal128.fromString('0.1') })).toBe(0);
    // The double 0.1 is 0.1000000000000000055..., just above the decimal 0.1.
    expect(
      (
        await c
          .find({ v: { $gt: Decimal128.fromString('0.1') } })
          .sort({ v: 1 })
          .toArray()
      ).map((d) => d._id),
    ).toEqual(['tenth', 'half']);
  });

  it('orders Int64 beyond 2^53 and Decimal128 exactly', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 'a', v: Long.fromString('9007199254740993') },
      { _id: 'b', v: Long.fromString('9007199254740992') },
      { _id: 'c', v: Decimal128.fromString('9007199254740992.5') },
      { _id: 'd', v: Decimal128.fromString('0.3') },
      { _id: 'e', v: 0.25 },
    ]);
    const sorted = await c.find({}).sort({ v: 1 }).toArray();
    expect(sorted.map((d) => d._id)).toEqual(['e', 'd', 'b', 'c', 'a']);
    const above = await c
      .find({ v: { $gt: Long.fromString('9007199254740992') } })
      .sort({ _id: 1 })
      .toArray();
    expect(above.map((d) => d._id)).toEqual(['a', 'c']);
    expect(await c.countDocuments({ v: Long.fromString('9007199254740993') })).toBe(1);
  });

  it('sorts mixed types in BSON order, missing and null first', async () => {
    const c = coll();
    const values: Array<[string, unknown]> = [
      ['max', new MaxKey()],
      ['regex', new BSONRegExp('a', 'i')],
      ['ts', new Timestamp({ t: 1, i: 1 })],
      ['date', new Date(0)],
      ['bool', false],
      ['oid', new ObjectId('000000000000000000000001')],
      ['bin', new Binary(Buffer.from([0]))],
      ['arr', [10]],
      ['obj', { a: 1 }],
      ['str', 'a'],
      ['num', 1],
      ['null', null],
      ['min', new MinKey()],
    ];
    await c.insertMany(values.map(([_id, v]) => ({ _id, v })));
    await c.insertOne({ _id: 'missing' });
    const order = (await c.find({}).sort({ v: 1, _id: 1 }).toArray()).map((d) => d._id);
    expect(order).toEqual([
      'min',
      'missing',
      'null',
      'num',
      'arr',
      'str',
      'obj',
      'bin',
      'oid',
      'bool',
      'date',
      'ts',
      'regex',
      'max',
    ]);
  });

  it('matches null against missing fields and $type against the stored BSON type', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, v: null },
      { _id: 2 },
      { _id: 3, v: Long.fromNumber(1) },
      { _id: 4, v: new Double(1) },
      { _id: 5, v: 1 },
    ]);
    expect((await c.find({ v: null }).toArray()).map((d) => d._id)).toEqual([1, 2]);
    expect((await c.find({ v: { $exists: false } }).toArray()).map((d) => d._id)).toEqual([2]);
    expect((await c.find({ v: { $type: 'long' } }).toArray()).map((d) => d._id)).toEqual([3]);
    expect((await c.find({ v: { $type: 'double' } }).toArray()).map((d) => d._id)).toEqual([4]);
    expect((await c.find({ v: { $type: 'int' } }).toArray()).map((d) => d._id)).toEqual([5]);
    expect((await c.find({ v: { $type: 'number' } }).toArray()).map((d) => d._id)).toEqual([
      3, 4, 5,
    ]);
  });

  it('treats _id values of equal numbers as the same key', async () => {
    const c = coll();
    await c.insertOne({ _id: 1 });
    await expect(c.insertOne({ _id: Long.fromNumber(1) })).rejects.toMatchObject({ code: 11000 });
    await expect(c.insertOne({ _id: new Double(1) })).rejects.toMatchObject({ code: 11000 });
    expect(await c.findOne({ _id: Decimal128.fromString('1.0') })).toEqual({ _id: 1 });
  });

  it('aggregates with BSON order and exact sums: $sort, $group $sum over Int64 and Decimal128', async () => {
    const c = coll();
    await c.insertMany([
      { _id: 1, g: 'a', l: Long.fromString('9007199254740993'), d: Decimal128.fromString('0.10') },
      { _id: 2, g: 'a', l: Long.fromString('9007199254740992'), d: Decimal128.fromString('0.20') },
      { _id: 3, g: 'b', l: Long.fromNumber(1), d: Decimal128.fromString('1') },
    ]);
    const sorted = await c.aggregate([{ $sort: { l: -1 } }, { $project: { _id: 1 } }]).toArray();
    expect(sorted.map((d) => d._id)).toEqual([1, 2, 3]);
    const [a] = await c
      .aggregate(
        [
          { $match: { g: 'a' } },
          { $group: { _id: '$g', l: { $sum: '$l' }, d: { $sum: '$d' }, n: { $sum: 1 } } },
        ],
        raw,
      )
      .toArray();
    expect(a?.l.toString()).toBe('18014398509481985');
    expect(a?.d.toString()).toBe('0.30');
    expect(a?.n.valueOf()).toBe(2);
  });
});
