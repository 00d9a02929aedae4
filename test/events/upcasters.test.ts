import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/recorded-event.js';
import { currentSchemaVersion, UPCASTERS, upcasterFrom } from '../../src/events/registry.js';
import { StreamUpcaster, upcast } from '../../src/events/upcast.js';
import { emptyStream, UpcastError } from '../../src/events/upcaster.js';

const STREAM = 'account-6f0b8c1e-6a4e-4f55-9d2b-3c7f2a1e9b10';
const ACCOUNT_ID = STREAM.slice('account-'.length);

let revision = 0;
function stored(type: string, data: unknown, schemaVersion?: number): StoredEvent {
  return {
    streamId: STREAM,
    revision: revision++,
    type,
    data,
    metadata: schemaVersion === undefined ? undefined : { schemaVersion },
    created: new Date('2019-03-01T10:00:00Z'),
    id: `event-${revision}`,
  };
}

/** Given a legacy stream, when it is read in order, then these are the events every reader sees. */
function read(events: StoredEvent[]) {
  const reader = new StreamUpcaster(emptyStream(STREAM));
  return events.map((event) => {
    const { type, data, written } = reader.next(event);
    return { type, data, written };
  });
}

describe('upcasters: the classic v1 shapes read as today’s events', () => {
  it('AccountCreated { owner, initialBalance: 0 } v1 becomes AccountOpened in the legacy currency', () => {
    revision = 0;
    expect(read([stored('AccountCreated', { owner: 'alice', initialBalance: 0 })])).toEqual([
      {
        type: 'AccountOpened',
        data: { accountId: ACCOUNT_ID, ownerId: 'alice', currency: 'USD' },
        written: { type: 'AccountCreated', schemaVersion: 1 },
      },
    ]);
  });

  it('MoneyDeposited { amount: 100.50 } v1 becomes minor units of the account’s currency, with the balance after it', () => {
    revision = 0;
    const events = read([
      stored('AccountCreated', { owner: 'alice', initialBalance: 0, currency: 'JPY' }),
      stored('MoneyDeposited', { amount: 1200 }),
      stored('MoneyWithdrawn', { amount: 200 }),
    ]);
    expect(events.slice(1).map((e) => e.data)).toEqual([
      { accountId: ACCOUNT_ID, amount: 1200, currency: 'JPY', balanceAfter: 1200 },
      { accountId: ACCOUNT_ID, amount: 200, currency: 'JPY', balanceAfter: 1000 },
    ]);

    revision = 0;
    const dollars = read([
      stored('AccountCreated', { owner: 'alice', initialBalance: 0 }),
      stored('MoneyDeposited', { amount: 100.5 }),
      stored('MoneyDeposited', { amount: 0.1 }),
      stored('MoneyWithdrawn', { amount: 0.3, description: 'coffee' }),
    ]);
    expect(dollars.slice(1).map((e) => e.data)).toEqual([
      { accountId: ACCOUNT_ID, amount: 10050, currency: 'USD', balanceAfter: 10050 },
      { accountId: ACCOUNT_ID, amount: 10, currency: 'USD', balanceAfter: 10060 },
      {
        accountId: ACCOUNT_ID,
        amount: 30,
        currency: 'USD',
        balanceAfter: 10030,
        description: 'coffee',
      },
    ]);
    expect(dollars[1]!.written).toEqual({ type: 'MoneyDeposited', schemaVersion: 1 });
  });

  it('a float that is not whole minor units is an error naming the event, never a rounded balance', () => {
    revision = 0;
    const events = [
      stored('AccountCreated', { owner: 'alice', initialBalance: 0 }),
      stored('MoneyDeposited', { amount: 100.505 }),
    ];
    expect(() => read(events)).toThrow(UpcastError);
    expect(() => read(events)).toThrow(
      `cannot read MoneyDeposited v1 at ${STREAM}@1: amount 100.505 is not a whole number of USD minor units (2 decimal places)`,
    );
  });

  it('a non-zero initialBalance, a deposit before any opening, and a shape from a newer Tally are refused by name', () => {
    revision = 0;
    expect(() => read([stored('AccountCreated', { owner: 'bob', initialBalance: 25 })])).toThrow(
      /AccountCreated v1 at .*@0: initialBalance 25 is not zero/,
    );
    revision = 0;
    expect(() => read([stored('MoneyDeposited', { amount: 5 })])).toThrow(
      /no earlier event of the stream says which currency/,
    );
    revision = 0;
    expect(() => read([stored('AccountOpened', { accountId: ACCOUNT_ID }, 7)])).toThrow(
      /knows AccountOpened only up to v1; it was written by a newer one/,
    );
  });

  it('today’s events pass through untouched, including MoneyDeposited that Tally itself stamped v1', () => {
    revision = 0;
    const today = {
      accountId: ACCOUNT_ID,
      amount: 2500,
      currency: 'EUR',
      balanceAfter: 2500,
    };
    const stamped = upcast(stored('MoneyDeposited', today, 1), emptyStream(STREAM));
    expect(stamped.data).toBe(today);
    const current = upcast(stored('MoneyDeposited', today, 2), emptyStream(STREAM));
    expect(current).toMatchObject({ type: 'MoneyDeposited', data: today });
    expect(current.written).toEqual({ type: 'MoneyDeposited', schemaVersion: 2 });
  });

  it('every chain ends at the current version of its type, one version at a time', () => {
    for (const upcaster of UPCASTERS) {
      const { from, to } = upcaster;
      if (from.type === to.type) expect(to.version).toBe(from.version + 1);
      expect(upcasterFrom(from.type, from.version)).toBe(upcaster);
      expect(currentSchemaVersion(to.type)).toBeGreaterThanOrEqual(to.version);
    }
    expect(currentSchemaVersion('MoneyDeposited')).toBe(2);
    expect(currentSchemaVersion('AccountOpened')).toBe(1);
    expect(currentSchemaVersion('TransferInitiated')).toBe(1);
  });
});
