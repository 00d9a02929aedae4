/// <reference lib="dom" />

/** Who the page acts as: the Authorization value it sends, and what the token says about it. */
export interface Session {
  authorization: string;
  sub: string;
  roles: string[];
}

const KEY = 'tally.dashboard.authorization';

/**
 * A session from a pasted token ("Bearer …" or the bare JWT). The claims are only read, to
 * choose the view: the server verifies the token on every request and decides what it may see.
 */
export function sessionFrom(pasted: string): Session {
  const token = pasted.trim().replace(/^Bearer\s+/i, '');
  const payload = token.split('.')[1];
  if (!payload) throw new Error('That is not a JWT: expected three dot-separated parts.');
  let claims: { sub?: unknown; roles?: unknown };
  try {
    const json = atob(payload.replaceAll('-', '+').replaceAll('_', '/'));
    claims = JSON.parse(json) as typeof claims;
  } catch {
    throw new Error('That token’s claims could not be read.');
  }
  if (typeof claims.sub !== 'string') throw new Error('That token has no sub claim.');
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((r) => typeof r === 'string')
    : [];
  return { authorization: `Bearer ${token}`, sub: claims.sub, roles };
}

/** Kept for this tab only (sessionStorage): closing the tab signs out. */
export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(KEY, session.authorization);
  else sessionStorage.removeItem(KEY);
}

export function restoreSession(): Session | undefined {
  const saved = sessionStorage.getItem(KEY);
  if (!saved) return undefined;
  try {
    return sessionFrom(saved);
  } catch {
    return undefined;
  }
}

export const isStaff = (session: Session) =>
  session.roles.some((role) => role === 'teller' || role === 'admin' || role === 'auditor');
export const isOperator = (session: Session) =>
  session.roles.some((role) => role === 'admin' || role === 'auditor');
