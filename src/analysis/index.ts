/**
 * analysis/: statistics over stored invocation records: per-run and per-function counts,
 * percentiles and bootstrap CIs, cold starts (the platform's or inferred client-side, with the
 * inference's accuracy), instances over time, lateness, billed GB-s, call trees of nested
 * invocations, and the comparison of two runs. Every figure comes from one statistics core: one
 * percentile definition (percentile.ts) over exact values (latency-accumulator.ts), one tally of
 * calls (call-tally.ts). It reads records; it never sends, stores or renders anything. It imports
 * core, and the store's types only (a Store is handed in); never the CLI, providers, the invoker
 * or the platform.
 */
export * from './bootstrap.ts';
export * from './call-tally.ts';
export * from './call-tree.ts';
export * from './cold-inference.ts';
export * from './compare.ts';
export * from './instances-timeline.ts';
export { LatencyAccumulator, summarizeValues, type Precision } from './latency-accumulator.ts';
export * from './percentile.ts';
export * from './run-analysis.ts';
export { SummaryBuilder, type RunSummary } from './run-summary.ts';
