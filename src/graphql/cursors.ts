import { GraphQLError } from 'graphql';

/** Opaque cursors: base64url of a kind tag and a key, so clients cannot build or misuse them. */
export function encodeCursor(kind: string, key: string | number): string {
  return Buffer.from(`${kind}:${key}`).toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, field: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString();
  const prefix = `${kind}:`;
  if (!decoded.startsWith(prefix)) {
    throw new GraphQLError(`${field}: is not a cursor this connection issued`, {
      extensions: { code: 'BAD_USER_INPUT', field },
    });
  }
  return decoded.slice(prefix.length);
}

export function decodeRevisionCursor(cursor: string, field: string): number {
  const revision = Number(decodeCursor('tx', cursor, field));
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new GraphQLError(`${field}: is not a cursor this connection issued`, {
      extensions: { code: 'BAD_USER_INPUT', field },
    });
  }
  return revision;
}
