import type { Position } from '@eventstore/db-client';

/**
 * Orders $all positions by commit, then prepare: the events of one append share a commit
 * position, and only the prepare position tells them apart.
 */
export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export const formatPosition = (position: Position) => `${position.commit}/${position.prepare}`;
