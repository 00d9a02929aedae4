import { MongoNetworkError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { attemptWithRetries } from '../../src/read/parking/index.js';
import { FAST_RETRY } from './parking-support.js';

describe('retrying an event before parking it', () => {
  it('gives up after the policy attempts, with the last error, so the event can be parked', async () => {
    let calls = 0;
    const outcome = await attemptWithRetries(FAST_RETRY, async () => {
      throw new Error(`bad event ${++calls}`);
    });
    expect(outcome).toMatchObject({ succeeded: false, attempts: FAST_RETRY.attempts });
    expect(String((outcome as { error: unknown }).error)).toContain(
      `bad event ${FAST_RETRY.attempts}`,
    );
  });

  it('succeeds on a later attempt without parking anything', async () => {
    let calls = 0;
    const outcome = await attemptWithRetries(FAST_RETRY, async () => {
      if (++calls < FAST_RETRY.attempts) throw new Error('transient');
    });
    expect(outcome).toEqual({ succeeded: true });
  });

  it('rethrows an unreachable store at once: an outage must never park events', async () => {
    let calls = 0;
    const outage = new MongoNetworkError('connection refused');
    await expect(
      attemptWithRetries(FAST_RETRY, async () => {
        calls++;
        throw outage;
      }),
    ).rejects.toBe(outage);
    expect(calls).toBe(1);
  });
});
