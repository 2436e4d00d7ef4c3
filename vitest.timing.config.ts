import { defineConfig } from 'vitest/config';
import { TIMING_TESTS } from './vitest.config.ts';

// The invoker's schedule accuracy is part of what it promises (p99 lateness under 2 ms), and a
// second test process on two cores would measure the neighbour instead: these files run one at a
// time, after the rest of the suite.
export default defineConfig({
  test: {
    include: TIMING_TESTS,
    globalSetup: ['test/support/quiet-machine.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: '.faasbench/test-results/junit-timing.xml' },
  },
});
