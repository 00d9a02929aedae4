import { describe, expect, it } from 'vitest';
import { commandIdForKey, eventIdFor } from '../../src/write/envelope.js';
import { transferStepId } from '../../src/write/transfer-initiation.js';

/**
 * Command and event ids derived from keys and steps are part of the ledger's data: a retry after
 * an upgrade must derive the same ids as the first attempt did, or EventStoreDB would take the
 * same command twice. These values were derived before any optimisation of the derivation.
 */
describe('derived ids never change', () => {
  it('a key, an event index and a transfer step derive the ids they always did', () => {
    expect(commandIdForKey('teller-tess', 'k-1')).toBe('5ee720d5-98cb-5b31-bbaf-bb7df8abd398');
    expect(eventIdFor('a1b2', 0)).toBe('dc44c7e1-f77c-57fa-96b6-aded77281597');
    expect(transferStepId('t-1', 'credit')).toBe('5579f28e-c5ef-5edd-8a9f-f4f7cfd4cff7');
  });
});
