/**
 * analysis/: statistics over stored invocation records (DESIGN.md §8): per-run and per-function
 * counts, percentiles and bootstrap CIs, cold starts (the platform's or inferred client-side, with
 * the inference's accuracy), instances over time, lateness, billed GB-s, call trees of nested
 * invocations, and the comparison of two runs. It reads records; it never sends, stores or renders
 * anything. It imports core, and the store's types only (a Store is handed in); never the CLI,
 * providers, the invoker or the platform.
 */
export * from './bootstrap.ts';
export * from './call-tree.ts';
export * from './cold-inference.ts';
export * from './compare.ts';
export * from './instances-timeline.ts';
export * from './run-analysis.ts';
export { SummaryBuilder, type RunSummary } from './latency-summary.ts';
