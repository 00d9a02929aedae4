import { createHash } from 'node:crypto';
import type { Role } from './roles.js';
import { signToken } from './sign-token.js';

export interface DevToken {
  role: Role;
  sub: string;
  token: string;
}

/**
 * One ready-made token per role for development. The customer's `sub` is a UUID, so it can be
 * used as the `ownerId` of the accounts it opens; it derives from the secret, so it is the same
 * after a restart.
 */
export async function devTokens(secret: Uint8Array): Promise<DevToken[]> {
  const subs: Record<Role, string> = {
    customer: uuidFrom(secret, 'customer'),
    teller: 'dev-teller',
    auditor: 'dev-auditor',
    admin: 'dev-admin',
  };
  return Promise.all(
    (Object.entries(subs) as Array<[Role, string]>).map(async ([role, sub]) => ({
      role,
      sub,
      token: await signToken(secret, { sub, roles: [role], expiresIn: '30d' }),
    })),
  );
}

function uuidFrom(secret: Uint8Array, name: string): string {
  const hex = createHash('sha256').update(secret).update(name).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
