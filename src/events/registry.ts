import type { Upcaster } from './upcaster.js';
import { accountCreatedV1 } from './upcasters/account-created-v1.js';
import { moneyDepositedV1, moneyWithdrawnV1 } from './upcasters/money-movement-v1.js';

/**
 * Every upcaster Tally has, in one place. Every reader (the write side's fold, the projector,
 * the process manager, history, accountAt, verify) upcasts through this list, so nothing
 * downstream ever sees an old shape.
 *
 * To change the shape of an event type: add an upcaster from its current version to the next
 * (a file under upcasters/, with given/when/then tests in test/events/), list it here, and
 * write the new shape. The new version is stamped on the events appended from then on, because
 * the current version of a type is the highest version the list leads to.
 */
export const UPCASTERS: readonly Upcaster[] = [
  accountCreatedV1,
  moneyDepositedV1,
  moneyWithdrawnV1,
];

const byFrom = new Map(UPCASTERS.map((u) => [key(u.from.type, u.from.version), u]));

const currentVersions = new Map<string, number>();
for (const { to } of UPCASTERS) {
  currentVersions.set(to.type, Math.max(currentVersions.get(to.type) ?? 1, to.version));
}

function key(type: string, version: number): string {
  return `${type}@${version}`;
}

/** The upcaster that reads this type and version, if it is not the current one. */
export function upcasterFrom(type: string, version: number): Upcaster | undefined {
  return byFrom.get(key(type, version));
}

/** The schema version events of this type are written with now (1 until its shape changes). */
export function currentSchemaVersion(type: string): number {
  return currentVersions.get(type) ?? 1;
}
