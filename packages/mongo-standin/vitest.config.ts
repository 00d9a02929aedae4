import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each test file starts the servers it needs (test/support.ts): no global setup.
    include: ['test/**/*.test.ts'],
    // Generous: several tests start the stand-in as a process or flood it. A timeout only ever
    // catches a hang; no test asserts how fast anything is.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
