import type { Document } from '../data/bson-values.js';
import { MongoCommandError } from '../data/errors.js';
import type { Store } from '../storage/store.js';

/**
 * Read-only views (`create` with `viewOn`/`pipeline`), per database, as mongod's view catalog.
 * A view holds no documents: reading it reads its source (a collection or another view) through
 * its pipeline. Kept in memory only, which is why views.ts refuses them on a server with a data
 * directory rather than lose them at a restart.
 */
export interface ViewDefinition {
  viewOn: string;
  pipeline: Document[];
}

/** mongod's ViewGraph::kMaxViewDepth. */
const MAX_VIEW_DEPTH = 20;

export class ViewCatalog {
  private readonly databases = new Map<string, Map<string, ViewDefinition>>();

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
  }

  delete(db: string, name: string): boolean {
    return this.databases.get(db)?.delete(name) ?? false;
  }

  list(db: string): Array<[string, ViewDefinition]> {
    return [...(this.databases.get(db)?.entries() ?? [])];
  }

  dropDatabase(db: string): void {
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
    for (let depth = 0; view; depth++) {
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
