import { ValidationError } from '../errors.js';

export const DAY_MS = 86_400_000;

/** An ISO-8601 instant of a command; `field` names it in the error. */
export function parseInstant(text: string, field: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new ValidationError(field, 'must be an ISO-8601 time');
  return date;
}

/** The UTC calendar day of an instant, as a day number since 1970-01-01. */
export function utcDay(instant: Date): number {
  return Math.floor(instant.getTime() / DAY_MS);
}
