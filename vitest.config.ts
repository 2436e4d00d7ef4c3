import { defineConfig } from 'vitest/config';

/** Tests that assert timing (schedule lateness) run alone afterwards: see vitest.timing.config.ts. */
export const TIMING_TESTS = ['src/**/*.timing.test.ts', 'test/**/*.timing.test.ts'];

// Tests start real processes and measure real time: two files at a time on two cores keeps
// scheduling noise below what the assertions allow.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [...TIMING_TESTS, '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: '.faasbench/test-results/junit.xml' },
  },
});
