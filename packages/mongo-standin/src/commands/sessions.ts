import { createHash } from 'node:crypto';
import { Binary } from 'bson';
import type { Document } from '../data/bson-values.js';
import { MongoCommandError, unknownField } from '../data/errors.js';
import { keyOf } from '../data/index-key.js';
import { isPlainObject } from '../data/paths.js';
import type { ServerState } from './context.js';

/**
 * mongod's logical session cache, as far as `$listLocalSessions` shows it: every `lsid` a
 * command carries is recorded with its last use; `endSessions` and `killSessions` remove
 * sessions, and a session unused for `logicalSessionTimeoutMinutes` (30, as hello announces)
 * expires. There is no authentication, so every session belongs to the unauthenticated user,
 * whose `uid` is mongod's: the SHA-256 of the empty string.
 */
const SESSION_TIMEOUT_MS = 30 * 60 * 1000;
const sha256 = (text: string) => new Binary(createHash('sha256').update(text).digest());
const NO_AUTH_UID = sha256('');

interface SessionRecord {
  id: unknown;
  lastUse: Date;
}

class SessionCache {
  private readonly sessions = new Map<string, SessionRecord>();

  touch(lsid: unknown): void {
    if (!isPlainObject(lsid) || lsid.id === undefined) return;
    const key = keyOf(lsid.id);
    const record = this.sessions.get(key);
    if (record) record.lastUse = new Date();
    else this.sessions.set(key, { id: lsid.id, lastUse: new Date() });
  }

  end(lsids: unknown): void {
    if (!Array.isArray(lsids)) return;
    for (const lsid of lsids) {
      if (isPlainObject(lsid) && lsid.id !== undefined) this.sessions.delete(keyOf(lsid.id));
    }
  }

  /** mongod's LogicalSessionRecord documents: `{_id: {id, uid}, lastUse}`. */
  list(): Document[] {
    const oldest = Date.now() - SESSION_TIMEOUT_MS;
    const records: Document[] = [];
    for (const [key, record] of this.sessions) {
      if (record.lastUse.getTime() < oldest) this.sessions.delete(key);
      else records.push({ _id: { id: record.id, uid: NO_AUTH_UID }, lastUse: record.lastUse });
    }
    return records;
  }
}

const caches = new WeakMap<ServerState, SessionCache>();

function cacheOf(state: ServerState): SessionCache {
  let cache = caches.get(state);
  if (!cache) {
    cache = new SessionCache();
    caches.set(state, cache);
  }
  return cache;
}

/** Records the command's session, or forgets the sessions endSessions/killSessions name. */
export function noteSession(state: ServerState, name: string, body: Document): void {
  const cache = cacheOf(state);
  if (name === 'endSessions' || name === 'killSessions') {
    cache.end(body[name]);
    return;
  }
  if (name === 'refreshSessions' && Array.isArray(body[name])) {
    for (const lsid of body[name] as unknown[]) cache.touch(lsid);
  }
  cache.touch(body.lsid);
}

/**
 * `$listLocalSessions` (document_source_list_local_sessions.cpp): `{allUsers: true}` lists
 * every session; otherwise the sessions of `users`, by default the current user, which
 * without authentication is `{user: '', db: ''}`, the owner of every session here.
 */
export function listLocalSessions(state: ServerState, spec: unknown): Document[] {
  if (!isPlainObject(spec)) {
    throw new MongoCommandError(
      14,
      `$listLocalSessions options must be specified in an object, but found: ${spec === null ? 'null' : Array.isArray(spec) ? 'array' : typeof spec}`,
      'TypeMismatch',
    );
  }
  for (const field of Object.keys(spec)) {
    if (field !== 'allUsers' && field !== 'users') {
      throw unknownField(`$listLocalSessions.${field}`);
    }
  }
  const users = parseUsers(spec.users);
  if (spec.allUsers !== undefined && typeof spec.allUsers !== 'boolean') {
    throw new MongoCommandError(
      14,
      "BSON field '$listLocalSessions.allUsers' is the wrong type, expected type 'bool'",
      'TypeMismatch',
    );
  }
  if (spec.allUsers === true && users.length > 0) {
    throw new MongoCommandError(
      12,
      '$listLocalSessions may not specify {allUsers:true} and {users:[...]} at the same time',
      'UnsupportedFormat',
    );
  }
  const records = cacheOf(state).list();
  if (spec.allUsers === true) return records;
  const wanted = users.length > 0 ? users : [{ user: '', db: '' }];
  const owns = wanted.some(({ user, db }) => user === '' && db === '');
  // Only the unauthenticated user has sessions here; any named user has none.
  return owns ? records : [];
}

function parseUsers(users: unknown): Array<{ user: string; db: string }> {
  if (users === undefined) return [];
  const wrongType = () =>
    new MongoCommandError(
      14,
      "BSON field '$listLocalSessions.users' is the wrong type, expected an array of {user: string, db: string}",
      'TypeMismatch',
    );
  if (!Array.isArray(users)) throw wrongType();
  return users.map((entry) => {
    if (!isPlainObject(entry) || typeof entry.user !== 'string' || typeof entry.db !== 'string')
      throw wrongType();
    return { user: entry.user, db: entry.db };
  });
}
