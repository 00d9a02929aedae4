import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

const BUILTINS = new Set(builtinModules);

/**
 * worker.ts and the stand-ins' own sources as one ES module, held in memory as a data: URL.
 *
 * Why: Tally runs under tsx, whose loader a worker does not inherit on Node 20. Registering it
 * in each worker costs a loader thread and a round trip per module, about 0.3 s of CPU per
 * stand-in at start-up; esbuild (already installed for tsx) turns the ~100 TypeScript files
 * into one module in about 0.1 s, once for both workers. Installed packages stay outside the
 * bundle and load natively, by absolute URL, so a data: URL module can import them; the stand-in
 * workspace packages (@tally/*) export TypeScript sources, so they are bundled.
 */
let bundled: Promise<URL> | undefined;
export function bundledWorker(entry: URL): Promise<URL> {
  bundled ??= bundle(entry);
  return bundled;
}

async function bundle(entry: URL): Promise<URL> {
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
            if (args.path.startsWith('@tally/')) return undefined;
            if (args.path.startsWith('node:') || BUILTINS.has(args.path)) {
              return { path: args.path, external: true };
            }
            return { path: import.meta.resolve(args.path), external: true };
          });
        },
      },
    ],
  });
  const code = result.outputFiles[0]!.text;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
