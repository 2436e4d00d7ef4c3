import { defineConfig } from 'vitest/config';

// Tests start real processes and measure real time: two files at a time on two cores keeps
// scheduling noise below what the assertions allow.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: '.faasbench/test-results/junit.xml' },
  },
});
