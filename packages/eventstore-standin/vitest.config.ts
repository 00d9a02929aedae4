import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests that share a store read its URL from here (inject('eventStoreUrl')).
    globalSetup: ['test/support/global-setup.ts'],
    // Generous: several tests start the stand-in as a process or flood it. A timeout only ever
    // catches a hang; no test asserts how fast anything is.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
