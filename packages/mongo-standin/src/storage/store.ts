import { MongoCommandError } from '../data/errors.js';
import { Collection, type WriteEvent } from './collection.js';

export type StoreEvent =
  | WriteEvent
  | { kind: 'createCollection'; db: string; coll: string }
  | { kind: 'rename'; db: string; coll: string; toDb: string; to: string }
  | { kind: 'drop'; db: string; coll: string }
  | { kind: 'dropDatabase'; db: string };

/** All databases and collections of the server; every change is reported to the listeners. */
export class Store {
  private readonly databases = new Map<string, Map<string, Collection>>();
  private readonly listeners: Array<(event: StoreEvent) => void> = [];

  onEvent(listener: (event: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit = (event: StoreEvent): void => {
    for (const listener of this.listeners) listener(event);
  };

  databaseNames(): string[] {
    return [...this.databases.entries()]
      .filter(([, colls]) => colls.size > 0)
      .map(([name]) => name);
  }

  collections(db: string): Collection[] {
    return [...(this.databases.get(db)?.values() ?? [])];
  }

  get(db: string, name: string): Collection | undefined {
    return this.databases.get(db)?.get(name);
  }

  getOrCreate(db: string, name: string): Collection {
    validateNamespace(db, name);
    let colls = this.databases.get(db);
    if (!colls) {
      colls = new Map();
      this.databases.set(db, colls);
    }
    let coll = colls.get(name);
    if (!coll) {
      coll = new Collection(db, name, this.emit);
      colls.set(name, coll);
      this.emit({ kind: 'createCollection', db, coll: name });
    }
    return coll;
  }

  drop(db: string, name: string): boolean {
    const colls = this.databases.get(db);
    if (!colls?.delete(name)) return false;
    this.emit({ kind: 'drop', db, coll: name });
    return true;
  }

  /** renameCollection: the same documents and indexes under a new namespace. */
  rename(db: string, name: string, toDb: string, to: string, dropTarget: boolean): void {
    validateNamespace(toDb, to);
    const coll = this.get(db, name);
    if (!coll)
      throw new MongoCommandError(26, 'source namespace does not exist', 'NamespaceNotFound');
    if (db === toDb && name === to)
      throw new MongoCommandError(20, "Can't rename a collection to itself", 'IllegalOperation');
    if (this.get(toDb, to)) {
      if (!dropTarget)
        throw new MongoCommandError(48, 'target namespace exists', 'NamespaceExists');
      this.drop(toDb, to);
    }
    this.databases.get(db)?.delete(name);
    let target = this.databases.get(toDb);
    if (!target) {
      target = new Map();
      this.databases.set(toDb, target);
    }
    coll.db = toDb;
    coll.name = to;
    target.set(to, coll);
    this.emit({ kind: 'rename', db, coll: name, toDb, to });
  }

  dropDatabase(db: string): void {
    const colls = this.databases.get(db);
    if (!colls) return;
    for (const name of [...colls.keys()]) this.drop(db, name);
    this.databases.delete(db);
    this.emit({ kind: 'dropDatabase', db });
  }
}

export function validateNamespace(db: string, name: string): void {
  if (!db || /[/\\. "$\0]/.test(db) || db.length > 63) {
    throw new MongoCommandError(73, `Invalid database name: '${db}'`, 'InvalidNamespace');
  }
  if (
    !name ||
    name.includes('\0') ||
    name.startsWith('.') ||
    name.includes('$') ||
    name.startsWith('system.')
  ) {
    throw new MongoCommandError(73, `Invalid collection name: ${name}`, 'InvalidNamespace');
  }
}
