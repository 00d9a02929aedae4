import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BUILTINS = new Set(builtinModules);

/** What one kind of worker thread runs, as one bundle. */
export interface WorkerBundle {
  /** Names the cached file; the cache keeps one bundle per name. */
  name: string;
  /** Directories, from the repository root, whose files make the bundle: a change makes a new one. */
  sources: readonly string[];
  /**
   * The one workspace package (@tally/*) this worker runs; any other becomes an empty module.
   * A stand-in's worker holds its own stand-in only.
   */
  ownPackage?: string;
}

/**
 * A worker's entry and the sources it imports as one ES module, kept in node_modules/.cache.
 *
 * Why: Tally runs under tsx, whose loader a worker does not inherit on Node 20. Registering it
 * in each worker costs a loader thread and a round trip per module, about 0.3 s of CPU per
 * worker at start-up; esbuild (already installed for tsx) turns the ~100 TypeScript files
 * into one module in about 0.1 s. Installed packages stay outside the bundle and load natively,
 * by absolute URL, so the bundle imports them from anywhere; the stand-in workspace packages
 * (@tally/*) export TypeScript sources, so they are bundled.
 */
const bundled = new Map<string, Promise<URL>>();
export function bundledWorker(entry: URL, spec: WorkerBundle): Promise<URL> {
  let url = bundled.get(spec.name);
  if (!url) {
    url = cachedBundle(entry, spec);
    bundled.set(spec.name, url);
  }
  return url;
}

const ROOT = join(import.meta.dirname, '../..');
/** Where bundles are kept between starts, one file per version of the sources. */
const CACHE_DIR = join(ROOT, 'node_modules/.cache/tally-workers');

/**
 * The bundle from the cache when the sources have not changed since it was written, else built
 * and written there. Building it sat on the critical path of `npm start`: esbuild's answer
 * waited behind the main thread loading Tally's modules, and the stand-ins started ~0.1–0.2 s
 * later than they did on the main thread. A cache that cannot be written is no error: the
 * bundle is then used from memory, as before.
 */
async function cachedBundle(entry: URL, spec: WorkerBundle): Promise<URL> {
  const file = join(CACHE_DIR, `${spec.name}-${await sourcesKey(entry, spec.sources)}.mjs`);
  if (
    await stat(file).then(
      () => true,
      () => false,
    )
  )
    return pathToFileURL(file);
  const code = await bundle(entry, spec);
  try {
    await mkdir(CACHE_DIR, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, code);
    await rename(temporary, file);
    await forgetOlderBundles(spec.name, file);
    return pathToFileURL(file);
  } catch {
    return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
  }
}

/** Removes this worker's bundles of earlier sources, so the cache holds one per worker. */
async function forgetOlderBundles(name: string, current: string): Promise<void> {
  const names = await readdir(CACHE_DIR).catch(() => [] as string[]);
  for (const file of names) {
    const path = join(CACHE_DIR, file);
    if (file.startsWith(`${name}-`) && file.endsWith('.mjs') && path !== current) {
      await unlink(path).catch(() => undefined);
    }
  }
}

/** A hash of every source file's path, size and modification time, the entry and esbuild's version. */
async function sourcesKey(entry: URL, sources: readonly string[]): Promise<string> {
  const hash = createHash('sha256').update(entry.href);
  // esbuild's version from its package.json: importing esbuild itself took ~60 ms.
  hash.update(await readFile(join(ROOT, 'node_modules/esbuild/package.json')).catch(() => ''));
  for (const dir of sources) {
    const files = await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true });
    const paths = files
      .filter((f) => f.isFile())
      .map((f) => join(f.parentPath, f.name))
      .sort();
    for (const path of paths) {
      const info = await stat(path);
      hash.update(`${path}\0${info.size}\0${info.mtimeMs}\0`);
    }
  }
  const lock = await stat(join(ROOT, 'package-lock.json')).catch(() => undefined);
  hash.update(String(lock?.mtimeMs ?? 0));
  return hash.digest('hex').slice(0, 16);
}

/**
 * One worker's bundle. A stand-in's imports only its own stand-in: with both in one bundle, each
 * worker loaded the other's installed packages too (grpc-js and protobuf, or mingo and re2js),
 * which made the workers start later than the stand-ins had on Tally's own thread.
 */
async function bundle(entry: URL, spec: WorkerBundle): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // The stand-ins resolve installed files relative to their own module.
    define: { 'import.meta.url': JSON.stringify(entry.href) },
    plugins: [
      {
        name: 'packages-by-absolute-url',
        setup(builder) {
          builder.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('@tally/')) {
              if (args.path === spec.ownPackage) return undefined;
              return { path: args.path, namespace: 'other-package' };
            }
            if (args.path.startsWith('node:') || BUILTINS.has(args.path)) {
              return { path: args.path, external: true };
            }
            return { path: import.meta.resolve(args.path), external: true };
          });
          // Another workspace package: an empty module, never started by this worker.
          builder.onLoad({ filter: /.*/, namespace: 'other-package' }, () => ({
            contents: 'export {};',
          }));
        },
      },
    ],
  });
  return result.outputFiles[0]!.text;
}
