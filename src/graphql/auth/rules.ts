import { ForbiddenError, type RequiredRole } from './forbidden-error.js';

/** Staff who may read any account: tellers, auditors and admins. */
export const STAFF_READ = { teller: true, auditor: true, admin: true } as const;

/** The refusal of a field: the least role that would have been allowed, and why. */
export function forbidden(requiredRole: RequiredRole, why: string): () => ForbiddenError {
  return () => new ForbiddenError(`Forbidden: ${why}`, requiredRole);
}
