import type { UnauthorizedErrorFn } from '@pothos/plugin-scope-auth';
import { ForbiddenError, type RequiredRole } from './forbidden-error.js';

/** Staff who may read any account: tellers, auditors and admins. */
export const STAFF_READ = { teller: true, auditor: true, admin: true } as const;

/** The refusal of a field: the least role that would have been allowed, and why. */
export function forbidden(
  requiredRole: RequiredRole,
  why: string,
  // biome-ignore lint/suspicious/noExplicitAny: fits every field's parent and arguments.
): UnauthorizedErrorFn<any, any, any> {
  return () => new ForbiddenError(`Forbidden: ${why}`, requiredRole);
}
