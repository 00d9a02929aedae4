import type { Role } from './roles.js';

/** Who is asking: the verified `sub` of a bearer token and the roles it grants. */
export interface Principal {
  /** Recorded as the actor of every event this principal's commands append. */
  sub: string;
  roles: readonly Role[];
  /** Seconds since the epoch when the token stops being valid; a subscription ends then. */
  expiresAt: number | undefined;
}
