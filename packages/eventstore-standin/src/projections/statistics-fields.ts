import { LOG_HEADER_SIZE } from '../log/event-log.js';

/** A log position as EventStoreDB's projection Statistics show it: `C:<commit>/P:<prepare>`. */
export function positionText(position: { commit: number; prepare: number } | undefined): string {
  return position ? `C:${position.commit}/P:${position.prepare}` : '';
}

/**
 * How far through the log a projection's cursor is, as Statistics' `progress`: a percentage with
 * one decimal, 100 once it has read everything committed.
 */
export function progressPercent(cursor: number, committedEnd: number): number {
  if (cursor >= committedEnd) return 100;
  const span = Math.max(1, committedEnd - LOG_HEADER_SIZE);
  return Math.floor((1000 * (cursor - LOG_HEADER_SIZE)) / span) / 10;
}
