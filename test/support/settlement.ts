import { BACKWARDS, END, type Position } from '@eventstore/db-client';
import { expect } from 'vitest';
import type { Tally } from '../../src/app.js';

/**
 * The position of the last event in $all. The read is consumed to its end: leaving a read
 * early leaves its gRPC call paused, and the client's dispose() then waits for it forever.
 */
export async function endOfAll(tally: Tally): Promise<bigint> {
  let end = 0n;
  for await (const resolved of tally.eventStore.readAll({
    direction: BACKWARDS,
    fromPosition: END,
    maxCount: 1,
  })) {
    if (resolved.event) end = resolved.event.position.commit;
  }
  return end;
}

/**
 * Waits until the process manager has handled every TransferSent up to `lastSent`, then until
 * the read models have caught up with everything written so far (the process manager's writes
 * included). No polling: both waits are on subscription progress.
 */
export async function waitForSettlement(tally: Tally, lastSent: bigint | Position): Promise<void> {
  const position = typeof lastSent === 'bigint' ? lastSent : lastSent.commit;
  expect(await tally.processManager!.progress.waitFor(position, 30_000)).toBe(true);
  expect(await tally.projector.progress.waitFor(await endOfAll(tally), 30_000)).toBe(true);
}

/** Position of the last TransferSent in an account's stream. */
export async function lastTransferSent(tally: Tally, accountId: string): Promise<bigint> {
  let last = 0n;
  for await (const resolved of tally.eventStore.readStream(`account-${accountId}`)) {
    if (resolved.event?.type === 'TransferSent') last = resolved.event.position!.commit;
  }
  return last;
}
