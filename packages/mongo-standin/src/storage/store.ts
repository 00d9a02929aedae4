import type { Binary } from 'bson';
import { MongoCommandError } from '../data/errors.js';
import {
  Collection,
  type CollectionInit,
  type CollectionOptions,
  type WriteEvent,
} from './collection.js';

export type StoreEvent =
  | WriteEvent
  | { kind: 'createCollection'; collection: Collection }
  | {
      kind: 'rename';
      db: string;
      coll: string;
      toDb: string;
      to: string;
      uuid: Binary;
      /** The target collection dropped by `dropTarget`, if there was one. */
      droppedTarget?: Binary;
    }
  | { kind: 'drop'; db: string; coll: string; uuid: Binary }
  | { kind: 'dropDatabase'; db: string }
  | {
      kind: 'modify';
      collection: Collection;
      /** What collMod was given (its options, without the command name). */
      changes: CollectionOptions;
      /** The collection's options before, for the change event's `stateBeforeChange`. */
      before: CollectionOptions;
    };

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

  /** The collection, created (with `init`'s identity and options) if it does not exist. */
  getOrCreate(db: string, name: string, init?: CollectionInit): Collection {
    validateNamespace(db, name);
    let colls = this.databases.get(db);
    if (!colls) {
      colls = new Map();
      this.databases.set(db, colls);
    }
    let coll = colls.get(name);
    if (!coll) {
      coll = new Collection(db, name, this.emit, init);
      colls.set(name, coll);
      this.emit({ kind: 'createCollection', collection: coll });
    }
    return coll;
  }

  drop(db: string, name: string): boolean {
    const colls = this.databases.get(db);
    const coll = colls?.get(name);
    if (!colls || !coll) return false;
    colls.delete(name);
    this.emit({ kind: 'drop', db, coll: name, uuid: coll.uuid });
    return true;
  }

  /** collMod: sets the given options (an `enabled: false` option is removed, as mongod does). */
  modify(coll: Collection, changes: CollectionOptions): void {
    const before = coll.options;
    const options: CollectionOptions = { ...before };
    if (changes.changeStreamPreAndPostImages) {
      if (changes.changeStreamPreAndPostImages.enabled)
        options.changeStreamPreAndPostImages = { enabled: true };
      else delete options.changeStreamPreAndPostImages;
    }
    coll.options = options;
    this.emit({ kind: 'modify', collection: coll, changes, before });
  }

  /** renameCollection: the same documents and indexes under a new namespace. */
  rename(db: string, name: string, toDb: string, to: string, dropTarget: boolean): void {
    validateNamespace(toDb, to);
    const coll = this.get(db, name);
    if (!coll)
      throw new MongoCommandError(26, 'source namespace does not exist', 'NamespaceNotFound');
    if (db === toDb && name === to)
      throw new MongoCommandError(20, "Can't rename a collection to itself", 'IllegalOperation');
    const target = this.get(toDb, to);
    if (target) {
      if (!dropTarget)
        throw new MongoCommandError(48, 'target namespace exists', 'NamespaceExists');
      this.drop(toDb, to);
    }
    this.databases.get(db)?.delete(name);
    let targetDb = this.databases.get(toDb);
    if (!targetDb) {
      targetDb = new Map();
      this.databases.set(toDb, targetDb);
    }
    coll.db = toDb;
    coll.name = to;
    targetDb.set(to, coll);
    this.emit({
      kind: 'rename',
      db,
      coll: name,
      toDb,
      to,
      uuid: coll.uuid,
      ...(target ? { droppedTarget: target.uuid } : {}),
    });
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
