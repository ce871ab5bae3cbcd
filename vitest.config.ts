import { defineConfig } from 'vitest/config';

// Tests import the compiled code in dist/ (npm test builds first), so the code under test is
// exactly what ships, and worker/server child processes run the same files as the tests.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Timing-heavy: one file at a time so runs do not compete for the 2 cores.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
