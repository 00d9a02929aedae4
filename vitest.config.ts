import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS ("main") and ESM ("module") builds. Node, and so yoga, loads the CJS
    // one; Vite would give our sources the ESM one, and GraphQLError instanceof checks would
    // then fail between the two copies. Pin our sources to the copy Node loads.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    // The stand-in packages' tests run here too, so one run on two cores shares one set of
    // stand-ins (each package's own `npm test` starts what its tests need by itself).
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // The embedded EventStoreDB and MongoDB stand-ins start once per run, here.
    globalSetup: ['test/support/global-setup.ts'],
    // Generous: several tests start real server processes or flood a store, and CI has two
    // cores. A timeout only ever catches a hang; no test asserts how fast anything is.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
