import { ValidationError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Every id in Tally is a UUID; a malformed one is a validation error naming the field, never "not found". */
export function parseId(value: string, field: string): string {
  if (!isUuid(value)) throw new ValidationError(field, 'must be a UUID');
  return value.toLowerCase();
}

/** Free text such as reasons and descriptions: trimmed, bounded, no control characters. */
export function parseText(
  value: string,
  field: string,
  { required, maxLength }: { required: boolean; maxLength: number },
): string | undefined {
  const text = value.trim();
  if (text.length === 0) {
    if (required) throw new ValidationError(field, 'must not be empty');
    return undefined;
  }
  if (text.length > maxLength) {
    throw new ValidationError(field, `must be at most ${maxLength} characters`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    throw new ValidationError(field, 'must not contain control characters');
  }
  return text;
}
