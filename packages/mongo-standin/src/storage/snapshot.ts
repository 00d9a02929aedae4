import { closeSync, openSync } from 'node:fs';
import type { Document } from '../data/bson-values.js';
import { RecordWriter, syncData, writeAll } from './record-file.js';
import type { Store } from './store.js';
import { type ViewDefinition, viewsOf } from './view-catalog.js';

/**
 * Everything a snapshot holds, taken at one instant: each collection with its documents. The
 * store replaces a document on every write instead of changing it (updates copy it first), so
 * holding the document objects keeps that instant's state while writes go on.
 */
export interface StoreImage {
  collections: Array<{ header: Document; docs: Document[] }>;
  views: Document[];
}

/** Documents serialized between two turns of the event loop when writing in the background. */
const SLICE = 1000;

export function viewRecord(db: string, name: string, view: ViewDefinition): Document {
  return { t: 'view', db, c: name, viewOn: view.viewOn, pipeline: view.pipeline };
}

/** The store as it is now; costs one array of references per collection, no copies. */
export function captureImage(store: Store): StoreImage {
  const collections: StoreImage['collections'] = [];
  for (const db of store.databaseNames()) {
    for (const coll of store.collections(db)) {
      collections.push({
        header: {
          t: 'coll',
          db,
          c: coll.name,
          uuid: coll.uuid,
          options: coll.options,
          indexes: [...coll.indexes.values()].map((i) => i.spec),
        },
        docs: [...coll.docs.values()],
      });
    }
  }
  const views = [...viewsOf(store).all()].map(({ db, name, view }) => viewRecord(db, name, view));
  return { collections, views };
}

/** Writes the image to `path` and syncs it, on the event loop (start-up and close). */
export function writeSnapshotSync(path: string, meta: Document, image: StoreImage): void {
  const writer = RecordWriter.create(path, 'w', 8 * 1024 * 1024);
  writer.add(meta);
  for (const { header, docs } of image.collections) {
    writer.add(header);
    for (const doc of docs) writer.add({ t: 'doc', d: doc });
  }
  for (const view of image.views) writer.add(view);
  writer.close();
}

/**
 * Writes the image to `path` and syncs it while the server goes on serving: documents are
 * serialized a slice at a time, each slice written asynchronously before the next begins.
 * Written on the event loop in one go, a snapshot of 150,000 documents stopped the server for
 * 0.9 s, and one of 300,000 for 2 s (every command waited, leader leases included).
 */
export async function writeSnapshotInBackground(
  path: string,
  meta: Document,
  image: StoreImage,
): Promise<void> {
  const writer = new RecordWriter(openSync(path, 'w', 0o600));
  try {
    writer.add(meta);
    for (const { header, docs } of image.collections) {
      writer.add(header);
      for (let start = 0; start < docs.length; start += SLICE) {
        const end = Math.min(docs.length, start + SLICE);
        for (let i = start; i < end; i++) writer.add({ t: 'doc', d: docs[i] });
        await writeAll(writer.fd, writer.take());
      }
    }
    for (const view of image.views) writer.add(view);
    await writeAll(writer.fd, writer.take());
    await syncData(writer.fd);
  } finally {
    closeSync(writer.fd);
  }
}
