import { describe, expect, it } from 'vitest';
import { accountDecider } from '../../src/domain/account/index.js';
import { decodeState, encodeState, StateCodecError } from '../../src/events/state-codec.js';

/** Given a state, when it is written as JSON and read back, then it is the same state. */
function roundTrip(state: unknown): unknown {
  return decodeState(JSON.parse(JSON.stringify(encodeState(state))));
}

describe('snapshot state codec', () => {
  it('gives back Sets, Maps, undefined fields, Dates and bigints exactly', () => {
    const state = {
      exists: true,
      transfersInFlight: new Set(['a', 'b']),
      activeHolds: new Map([['h1', { id: 'h1', amount: 500, capturedAmount: undefined }]]),
      interestRate: undefined,
      openedAt: new Date('2026-01-06T15:00:00.000Z'),
      big: 2n ** 70n,
      tricky: { $t: 'Set', v: [1] },
      list: [1, 'two', null],
    };
    const back = roundTrip(state) as typeof state;
    expect(back).toEqual(state);
    expect(back.transfersInFlight).toBeInstanceOf(Set);
    expect(back.activeHolds).toBeInstanceOf(Map);
    expect('interestRate' in back).toBe(true);
    expect(back.tricky).toEqual({ $t: 'Set', v: [1] });
  });

  it('writes a long immutable chain ({ head, rest }) as a list, without overflowing the stack', () => {
    let chain: unknown;
    for (let i = 0; i < 200_000; i++) chain = { head: { original: i }, rest: chain };
    const encoded = encodeState({ settledHolds: chain }) as { settledHolds: { v: unknown[] } };
    expect(encoded.settledHolds.v).toHaveLength(200_000);
    const back = decodeState(JSON.parse(JSON.stringify(encoded))) as {
      settledHolds: { head: { original: number }; rest: { head: { original: number } } };
    };
    expect(back.settledHolds.head.original).toBe(199_999);
    expect(back.settledHolds.rest.head.original).toBe(199_998);
  });

  it('round-trips the account state today’s evolve folds, whatever fields it has', () => {
    const opened = accountDecider.evolve(accountDecider.initialState, {
      type: 'AccountOpened',
      data: {
        accountId: '6f0b8c1e-6a4e-4f55-9d2b-3c7f2a1e9b10',
        ownerId: '11111111-1111-4111-8111-111111111111',
        currency: 'USD' as never,
      },
    });
    expect(roundTrip(opened)).toEqual(opened);
  });

  it('refuses what it cannot write faithfully, and tags it cannot read', () => {
    expect(() => encodeState({ clock: () => 1 })).toThrow(StateCodecError);
    expect(() => encodeState({ when: new URL('https://tally.test') })).toThrow(StateCodecError);
    expect(() => decodeState({ $t: 'Frobnicator', v: [] })).toThrow(StateCodecError);
  });
});
