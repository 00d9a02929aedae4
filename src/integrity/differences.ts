/**
 * One way the read models (or the events themselves) disagree with the event store's truth.
 * `subject` names the thing ("account <id>", "transfer <id>", "ledger USD", "event <stream>@<rev>",
 * "projection:<name>"), `field` what differs, `detail` the two sides.
 */
export interface Difference {
  subject: string;
  field: string;
  detail: string;
}

export function formatDifference(difference: Difference): string {
  return `${difference.subject}: ${difference.field}: ${difference.detail}`;
}

/** A field whose read-model value differs from the fold of the events. */
export function mismatch(
  subject: string,
  field: string,
  eventStore: unknown,
  readModel: unknown,
): Difference {
  return {
    subject,
    field,
    detail: `event store ${String(eventStore)}, read model ${String(readModel)}`,
  };
}
