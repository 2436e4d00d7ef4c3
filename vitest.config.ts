import { defineConfig } from 'vitest/config';

const TESTS = ['src/**/*.test.ts', 'test/**/*.test.ts'];

/** Tests that assert timing (schedule lateness) run alone afterwards: see vitest.timing.config.ts. */
export const TIMING_TESTS = ['src/**/*.timing.test.ts', 'test/**/*.timing.test.ts'];

/**
 * Test files that replace or reset modules (vi.mock, vi.resetModules), the environment or globals: each needs a module graph
 * of its own, which the other files share (see the projects below).
 */
const NEEDS_OWN_MODULES = [
  'src/invoker/warm-up.test.ts',
  'src/invoker/invoker.test.ts',
  'src/invoker/wait-until.test.ts',
  'src/core/settle-heap.test.ts',
  'src/cli/step-progress.test.ts',
  'src/cli/progress-line.test.ts',
  'src/providers/gcp-functions.test.ts',
  'src/providers/azure-functions.test.ts',
  'src/store/threaded-sink.test.ts',
  'test/event-queue.test.ts',
  'test/gcp-storage.test.ts',
  'test/isolation.test.ts',
  'test/store-gone-experiment-pg.test.ts',
  'test/live/*.test.ts',
];

// Tests start real processes and measure real time: two files at a time on two cores keeps
// scheduling noise below what the assertions allow.
export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: '.faasbench/test-results/junit.xml' },
    projects: [
      {
        // Importing each file's modules afresh took a quarter to a third of the suite's time (1.5 s
        // a file, 268 files): the files that leave modules, environment and globals as they found
        // them share one module graph per worker.
        extends: true,
        test: { name: 'shared', include: TESTS, exclude: [...TIMING_TESTS, ...NEEDS_OWN_MODULES, '**/node_modules/**'], isolate: false },
      },
      {
        extends: true,
        test: { name: 'own-modules', include: NEEDS_OWN_MODULES, exclude: [...TIMING_TESTS, '**/node_modules/**'] },
      },
    ],
  },
});
