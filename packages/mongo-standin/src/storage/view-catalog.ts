import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import type { Store } from './store.js';

/**
 * Read-only views (`create` with `viewOn`/`pipeline`), per database, as mongod's view catalog
 * (its `system.views` collections). A view holds no documents: reading it reads its source (a
 * collection or another view) through its pipeline. Every change is reported to the listeners,
 * so `--data-dir` persistence journals and snapshots the catalog like the collections.
 */
export interface ViewDefinition {
  viewOn: string;
  pipeline: Document[];
}

export type ViewEvent =
  | { kind: 'createView'; db: string; name: string; view: ViewDefinition }
  | { kind: 'dropView'; db: string; name: string };

/** mongod's ViewGraph::kMaxViewDepth. */
const MAX_VIEW_DEPTH = 20;

export class ViewCatalog {
  private readonly databases = new Map<string, Map<string, ViewDefinition>>();
  private readonly listeners: Array<(event: ViewEvent) => void> = [];

  onEvent(listener: (event: ViewEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(event: ViewEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Every database's views, for a snapshot. */
  *all(): Generator<{ db: string; name: string; view: ViewDefinition }> {
    for (const [db, views] of this.databases) {
      for (const [name, view] of views) yield { db, name, view };
    }
  }

  get(db: string, name: string): ViewDefinition | undefined {
    return this.databases.get(db)?.get(name);
  }

  set(db: string, name: string, view: ViewDefinition): void {
    let views = this.databases.get(db);
    if (!views) {
      views = new Map();
      this.databases.set(db, views);
    }
    views.set(name, view);
    this.emit({ kind: 'createView', db, name, view });
  }

  delete(db: string, name: string): boolean {
    const deleted = this.databases.get(db)?.delete(name) ?? false;
    if (deleted) this.emit({ kind: 'dropView', db, name });
    return deleted;
  }

  list(db: string): Array<[string, ViewDefinition]> {
    return [...(this.databases.get(db)?.entries() ?? [])];
  }

  /** Drops the database's views one by one: a database of views only has no dropDatabase record. */
  dropDatabase(db: string): void {
    for (const [name] of this.list(db)) this.delete(db, name);
    this.databases.delete(db);
  }

  /**
   * The collection a view reads in the end, and the pipeline that turns it into the view:
   * the innermost view's stages first. Undefined when `name` is not a view.
   */
  resolve(db: string, name: string): { source: string; pipeline: Document[] } | undefined {
    let view = this.get(db, name);
    if (!view) return undefined;
    const pipeline: Document[] = [];
    let source = name;
    const path = [name];
    for (let depth = 0; view; depth++) {
      if (path.indexOf(view.viewOn) !== -1) {
        // mongod's ViewGraph refuses a definition that reads itself, naming the cycle.
        const cycle = [...path, view.viewOn].map((n) => `${db}.${n}`).join(' => ');
        throw new MongoCommandError(5, `View cycle detected: ${cycle}`, 'GraphContainsCycle');
      }
      path.push(view.viewOn);
      if (depth >= MAX_VIEW_DEPTH) {
        throw new MongoCommandError(
          165,
          `View depth too deep or view cycle detected. Maximum depth is ${MAX_VIEW_DEPTH}`,
          'ViewDepthLimitExceeded',
        );
      }
      pipeline.unshift(...view.pipeline);
      source = view.viewOn;
      view = this.get(db, source);
    }
    return { source, pipeline };
  }
}

const catalogs = new WeakMap<Store, ViewCatalog>();

export function viewsOf(store: Store): ViewCatalog {
  let catalog = catalogs.get(store);
  if (!catalog) {
    catalog = new ViewCatalog();
    catalogs.set(store, catalog);
  }
  return catalog;
}

export function viewNotCollection(db: string, name: string): MongoCommandError {
  return new MongoCommandError(
    166,
    `Namespace ${db}.${name} is a view, not a collection`,
    'CommandNotSupportedOnView',
  );
}
