import type { Document } from './bson-values.js';
import { DuplicateKeyError } from './errors.js';
import { keyOf } from './index-key.js';
import { candidateValues, getPath } from './paths.js';
import { compileFilter, type Matcher } from './query.js';

export interface IndexSpec {
  name: string;
  key: Document;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
}

/**
 * One index: for each key (the canonical string of the indexed values) the set of document ids
 * carrying it. Equality lookups are a Map hit, so they cost the same at any collection size.
 * Multikey: a document with an array in an indexed field gets one entry per element.
 */
export class SecondaryIndex {
  readonly fields: string[];
  private readonly entries = new Map<string, Set<string>>();
  private readonly partial: Matcher | undefined;

  constructor(
    readonly spec: IndexSpec,
    private readonly ns: string,
  ) {
    this.fields = Object.keys(spec.key);
    this.partial = spec.partialFilterExpression
      ? compileFilter(spec.partialFilterExpression)
      : undefined;
  }

  get name(): string {
    return this.spec.name;
  }

  /** The index keys of a document, or none when sparse/partial rules leave it out. */
  keysOf(doc: Document): string[] {
    if (this.partial && !this.partial.test(doc)) return [];
    if (this.spec.sparse && this.fields.every((f) => getPath(doc, f) === undefined)) return [];
    let keys = [''];
    for (const field of this.fields) {
      const direct = getPath(doc, field);
      const values = Array.isArray(direct) ? (direct.length ? direct : [undefined]) : [direct];
      if (!Array.isArray(direct) && direct === undefined && field.includes('.')) {
        // A path through an array (a.b where a is an array) is multikey too.
        const through = candidateValues(doc, field).filter((v) => v !== undefined);
        if (through.length) values.splice(0, 1, ...through);
      }
      const parts = [...new Set(values.map(keyOf))];
      keys = keys.flatMap((prefix) => parts.map((p) => (prefix ? `${prefix}\u0000${p}` : p)));
    }
    return keys;
  }

  /** Throws E11000 when adding `doc` (id `id`) would duplicate a unique key. */
  checkUnique(id: string, doc: Document): void {
    if (!this.spec.unique) return;
    for (const key of this.keysOf(doc)) {
      const holders = this.entries.get(key);
      if (holders && (holders.size > 1 || !holders.has(id))) {
        const keyValue: Document = {};
        for (const f of this.fields) keyValue[f] = getPath(doc, f) ?? null;
        throw new DuplicateKeyError(this.ns, this.name, this.spec.key, keyValue);
      }
    }
  }

  add(id: string, doc: Document): void {
    for (const key of this.keysOf(doc)) {
      let set = this.entries.get(key);
      if (!set) {
        set = new Set();
        this.entries.set(key, set);
      }
      set.add(id);
    }
  }

  remove(id: string, doc: Document): void {
    for (const key of this.keysOf(doc)) {
      const set = this.entries.get(key);
      if (!set) continue;
      set.delete(id);
      if (set.size === 0) this.entries.delete(key);
    }
  }

  /** Ids whose indexed fields equal `values` (one value per indexed field, in order). */
  lookup(values: unknown[]): Set<string> | undefined {
    return this.entries.get(values.map(keyOf).join('\u0000'));
  }
}
