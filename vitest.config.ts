import { defineConfig } from 'vitest/config';

/**
 * End-to-end files whose assertions hang on time or machine resources: latency or a reply time
 * within bounds, a server's or generator's CPU and memory, the generator keeping up, a common
 * start a few seconds ahead, thousands of sockets. They run one at a time, after everything
 * else, with the 2 cores to themselves. (Files outside the list may bound a close or an exit
 * by a second or two: generous on a busy machine too.)
 */
const TIMED_E2E = [
  'arena-matrix',
  'bench-smoke',
  'compare-launch',
  'compare-live',
  'cpu-pinning',
  'fanout-broadcast',
  'fanout-ramp',
  'fanout-slow',
  'find-cli',
  'run-echo',
  'run-exit',
  'run-faults',
  'run-launch',
  'run-scale',
  'server-cluster-scale',
  'server-hostile-clients',
  'server-ws',
  'shards-cli',
  'shards-netns',
  'sse-limits',
  'sse-run',
  'thresholds-run',
  'truth-matrix',
].map((name) => `test/e2e/${name}.test.ts`);

// Tests import the compiled code in dist/ (npm test builds first), so the code under test is
// exactly what ships, and worker/server child processes run the same files as the tests.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Counts, files and exit codes over real sockets: correct at any speed, so they share
        // two workers with the unit tests.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: TIMED_E2E,
          maxWorkers: 2,
          testTimeout: 60_000,
          hookTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e-timed',
          include: TIMED_E2E,
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 30_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
