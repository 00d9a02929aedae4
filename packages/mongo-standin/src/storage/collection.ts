import { type Binary, ObjectId, UUID } from 'bson';
import type { Document } from '../data/bson-values.js';
import { DuplicateKeyError, MongoCommandError } from '../data/errors.js';
import { idKeyOf } from '../data/index-key.js';
import { isPlainObject } from '../data/paths.js';
import { compileFilter } from '../data/query.js';
import { type IndexSpec, SecondaryIndex } from '../data/secondary-index.js';
import { sortDocuments } from '../data/sort-project.js';
import { equalityValues, planIndex, planningFilter } from './query-plan.js';
import { SharedStrings } from './shared-strings.js';

/** One table for every collection: the same account id recurs across several of them. */
const sharedStrings = new SharedStrings();

/** What a collection tells its store after each write (change streams and persistence listen). */
export type WriteEvent =
  | { kind: 'createIndex'; collection: Collection; spec: IndexSpec }
  | { kind: 'dropIndex'; collection: Collection; spec: IndexSpec }
  | { kind: 'insert'; collection: Collection; after: Document }
  | { kind: 'update' | 'replace'; collection: Collection; before: Document; after: Document }
  | { kind: 'delete'; collection: Collection; before: Document };

/** What `explain` reports: how the documents were found and how many were read. */
export interface QueryStats {
  stage: 'IDHACK' | 'IXSCAN' | 'COLLSCAN';
  indexName?: string;
  examined: number;
}

interface Candidates {
  docs: Iterable<Document>;
  sorted: boolean;
  stage: QueryStats['stage'];
  indexName?: string;
}

export const ID_INDEX: IndexSpec = { name: '_id_', key: { _id: 1 } };

/**
 * The options a collection was created with (or given by collMod), as listCollections shows
 * them. Only `changeStreamPreAndPostImages` is kept: the stand-in implements no other option.
 */
export interface CollectionOptions {
  changeStreamPreAndPostImages?: { enabled: boolean };
}

/** Identity and options of a collection being created (or reloaded from disk). */
export interface CollectionInit {
  uuid?: Binary;
  options?: CollectionOptions;
}

/**
 * Documents by canonical `_id` key (a Map keeps insertion order, MongoDB's natural order for a
 * fresh collection), plus secondary indexes kept in step with every write.
 */
export class Collection {
  readonly docs = new Map<string, Document>();
  readonly indexes = new Map<string, SecondaryIndex>();
  readonly createdAt = new Date();
  /**
   * The collection's identity, as mongod's: created with the collection, kept by a rename,
   * new after drop + create (listCollections `info.uuid`, change events' `collectionUUID`).
   */
  readonly uuid: Binary;
  /** Mutable only through Store.modify (collMod). */
  options: CollectionOptions;
  private idOrder: SecondaryIndex | undefined;

  constructor(
    /** Mutable only through Store.rename. */
    public db: string,
    public name: string,
    private readonly emit: (event: WriteEvent) => void,
    init: CollectionInit = {},
  ) {
    this.uuid = init.uuid ?? new UUID().toBinary();
    this.options = init.options ?? {};
  }

  /** Whether writes now record pre- and post-images for change streams. */
  get recordsImages(): boolean {
    return this.options.changeStreamPreAndPostImages?.enabled === true;
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  getById(id: unknown): Document | undefined {
    return this.docs.get(idKeyOf(id));
  }

  createIndex(spec: IndexSpec): boolean {
    const existing = [...this.indexes.values()].find((i) => sameKey(i.spec.key, spec.key));
    if (existing) {
      if (existing.name !== spec.name || !!existing.spec.unique !== !!spec.unique) {
        throw new MongoCommandError(
          85,
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`,
          'IndexOptionsConflict',
        );
      }
      return false;
    }
    if (this.indexes.has(spec.name) || spec.name === ID_INDEX.name) {
      throw new MongoCommandError(
        86,
        `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}`,
        'IndexKeySpecsConflict',
      );
    }
    const index = new SecondaryIndex(spec, () => this.ns);
    for (const [id, doc] of this.docs) {
      index.checkUnique(id, doc);
      index.add(id, doc);
    }
    this.indexes.set(spec.name, index);
    this.emit({ kind: 'createIndex', collection: this, spec });
    return true;
  }

  dropIndex(name: string): void {
    if (name === ID_INDEX.name)
      throw new MongoCommandError(72, 'cannot drop _id index', 'InvalidOptions');
    const index = this.indexes.get(name);
    if (!index) {
      throw new MongoCommandError(27, `index not found with name [${name}]`, 'IndexNotFound');
    }
    this.indexes.delete(name);
    this.emit({ kind: 'dropIndex', collection: this, spec: index.spec });
  }

  listIndexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...[...this.indexes.values()].map((i) => i.spec)];
  }

  insert(doc: Document): Document {
    if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
    else if (Object.keys(doc)[0] !== '_id') doc = { _id: doc._id, ...doc };
    if (Array.isArray(doc._id)) {
      throw new MongoCommandError(2, `can't use an array for _id`, 'BadValue');
    }
    const id = idKeyOf(doc._id);
    if (this.docs.has(id)) {
      throw new DuplicateKeyError(this.ns, ID_INDEX.name, { _id: 1 }, { _id: doc._id });
    }
    for (const index of this.indexes.values()) index.checkUnique(id, doc);
    sharedStrings.shareIn(doc);
    this.docs.set(id, doc);
    for (const index of this.indexes.values()) index.add(id, doc);
    this.idOrder?.add(id, doc);
    this.emit({ kind: 'insert', collection: this, after: doc });
    return doc;
  }

  replace(before: Document, after: Document, kind: 'update' | 'replace'): void {
    const id = idKeyOf(before._id);
    for (const index of this.indexes.values()) index.checkUnique(id, after);
    for (const index of this.indexes.values()) index.remove(id, before);
    sharedStrings.shareIn(after);
    this.docs.set(id, after);
    for (const index of this.indexes.values()) index.add(id, after);
    this.emit({ kind, collection: this, before, after });
  }

  delete(doc: Document): void {
    const id = idKeyOf(doc._id);
    if (!this.docs.delete(id)) return;
    for (const index of this.indexes.values()) index.remove(id, doc);
    this.idOrder?.remove(id, doc);
    this.emit({ kind: 'delete', collection: this, before: doc });
  }

  /** Documents matching `filter`, reading only what an index allows (order not guaranteed). */
  *find(filter: Document | undefined): Generator<Document> {
    const matcher = compileFilter(filter);
    for (const doc of this.candidates(filter ?? {}, undefined).docs) {
      if (matcher.test(doc)) yield doc;
    }
  }

  /**
   * Matching documents in `sort` order, at most `max` of them. When an index gives the order,
   * the scan stops after `max` matches instead of reading and sorting everything.
   */
  query(
    filter: Document | undefined,
    sort: Document | undefined,
    max?: number,
    stats?: QueryStats,
  ): Document[] {
    const matcher = compileFilter(filter);
    const hasSort = sort !== undefined && Object.keys(sort).length > 0;
    const { docs, sorted, stage, indexName } = this.candidates(
      filter ?? {},
      hasSort ? sort : undefined,
    );
    if (stats) Object.assign(stats, { stage, indexName, examined: 0 });
    const out: Document[] = [];
    const stopEarly = max !== undefined && (sorted || !hasSort);
    for (const doc of docs) {
      if (stats) stats.examined++;
      if (!matcher.test(doc)) continue;
      out.push(doc);
      if (stopEarly && out.length >= max) break;
    }
    if (!hasSort || sorted) return out;
    // Sorted here, after reading every match: only now can the first `max` be taken.
    const ordered = sortDocuments(out, sort);
    return max === undefined ? ordered : ordered.slice(0, max);
  }

  /** The smallest set of documents that can match: an _id hit, an index scan, or everything. */
  private candidates(query: Document, sort: Document | undefined): Candidates {
    const filter = planningFilter(query);
    const idValues = equalityValues(filter._id);
    if (idValues) {
      const docs = this.byIds(idValues.map(idKeyOf));
      return { docs, sorted: idValues.length <= 1, stage: 'IDHACK', indexName: ID_INDEX.name };
    }
    const plan = planIndex(this.usableIndexes(filter, sort), filter, sort);
    if (!plan) {
      // `{field: {$in: [...]}}` on a single-field index: one lookup per value.
      for (const index of this.indexes.values()) {
        const values =
          index.complete && index.fields.length === 1
            ? equalityValues(filter[index.fields[0]!])
            : undefined;
        if (!values) continue;
        const ids = new Set<string>();
        for (const value of values) for (const id of index.lookup([value]) ?? []) ids.add(id);
        return {
          docs: this.byIds(ids),
          sorted: values.length <= 1 && !sort,
          stage: 'IXSCAN',
          indexName: index.name,
        };
      }
      return { docs: this.docs.values(), sorted: false, stage: 'COLLSCAN' };
    }
    const { index, prefix } = plan;
    const found = { sorted: plan.sorted, stage: 'IXSCAN' as const, indexName: index.name };
    if (prefix.length === index.fields.length) {
      const ids = index.lookup(prefix);
      return { docs: this.byIds(ids ? [...ids] : []), ...found };
    }
    return { docs: this.byIds(index.scan(prefix, plan.lo, plan.hi, plan.reverse)), ...found };
  }

  /**
   * The secondary indexes, plus the _id index in key order when the query ranges or sorts on
   * _id. That ordered copy is built on first need (documents live in a hash map by _id, which
   * serves equality but not order) and then kept up to date.
   */
  private usableIndexes(filter: Document, sort: Document | undefined): SecondaryIndex[] {
    const indexes = [...this.indexes.values()];
    const idPredicate = filter._id;
    const rangeOnId =
      isPlainObject(idPredicate) &&
      Object.keys(idPredicate).some(
        (k) => k === '$gt' || k === '$gte' || k === '$lt' || k === '$lte',
      );
    if (rangeOnId || (sort && Object.keys(sort)[0] === '_id')) {
      if (!this.idOrder) {
        this.idOrder = new SecondaryIndex(ID_INDEX, () => this.ns);
        for (const [id, doc] of this.docs) this.idOrder.add(id, doc);
      }
      indexes.push(this.idOrder);
    }
    return indexes;
  }

  private *byIds(ids: Iterable<string>): Generator<Document> {
    for (const id of ids) {
      const doc = this.docs.get(id);
      if (doc) yield doc;
    }
  }
}

function sameKey(a: Document, b: Document): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
