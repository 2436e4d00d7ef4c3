/**
 * Test files that replace or reset modules (vi.mock, vi.resetModules), or change the environment or
 * globals: each runs with a module graph of its own, which the other files share, one per worker
 * (vitest.config.ts). test/own-modules.test.ts finds every file that does so and checks it is here.
 */
export const NEEDS_OWN_MODULES: readonly string[] = [
  'src/invoker/warm-up.test.ts',
  'src/invoker/invoker.test.ts',
  'src/invoker/wait-until.test.ts',
  'src/core/settle-heap.test.ts',
  'src/cli/step-progress.test.ts',
  'src/cli/progress-line.test.ts',
  'src/providers/gcp-functions.test.ts',
  'src/providers/azure-functions.test.ts',
  'src/store/threaded-sink.test.ts',
  'src/store/threaded-sink-fallback.test.ts',
  'test/event-queue.test.ts',
  'test/gcp-storage.test.ts',
  'test/isolation.test.ts',
  'test/store-gone-experiment-pg.test.ts',
  'test/live/azure.live.test.ts',
  'test/live/gcp.live.test.ts',
];
