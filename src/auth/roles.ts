/** The roles a token may carry in its `roles` claim (DESIGN.md §2b). */
export const ROLES = ['customer', 'teller', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Internal writers act as named system principals, recorded as the actor of their events. No
 * token may claim one, so an event signed `system:…` was always written by Tally itself.
 */
export const SYSTEM_PRINCIPAL_PREFIX = 'system:';
export const TRANSFER_PROCESS_MANAGER = 'system:transfer-process-manager';

export function isSystemPrincipal(sub: string): boolean {
  return sub.toLowerCase().startsWith(SYSTEM_PRINCIPAL_PREFIX);
}
