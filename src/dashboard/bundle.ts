import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./client/main.ts', import.meta.url));

let bundled: Promise<string> | undefined;

/**
 * The page's script: client/main.ts and graphql-ws bundled into one file by esbuild's JS API
 * (esbuild is already installed for tsx), on the first request to /dashboard and then kept, so
 * `npm start` needs no build step and nothing is fetched from a CDN. A failed build is not
 * kept: the next request tries again.
 */
export function dashboardScript(): Promise<string> {
  bundled ??= build().catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  return bundled;
}

async function build(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
