import { defineConfig } from 'vitest/config';
import { NEEDS_OWN_MODULES } from './test/support/own-modules.ts';

const TESTS = ['src/**/*.test.ts', 'test/**/*.test.ts'];

/** Tests that assert timing (schedule lateness) run alone afterwards: see vitest.timing.config.ts. */
export const TIMING_TESTS = ['src/**/*.timing.test.ts', 'test/**/*.timing.test.ts'];

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
        // a file, 263 files): the files that leave modules, environment and globals as they found
        // them share one module graph per worker.
        extends: true,
        test: { name: 'shared', include: TESTS, exclude: [...TIMING_TESTS, ...NEEDS_OWN_MODULES, '**/node_modules/**'], isolate: false },
      },
      {
        // Each file with a module graph of its own (test/support/own-modules.ts).
        extends: true,
        test: { name: 'own-modules', include: [...NEEDS_OWN_MODULES], exclude: [...TIMING_TESTS, '**/node_modules/**'] },
      },
    ],
  },
});
