/**
 * The standard suite `npm start` runs on the local platform: the classic questions answered once
 * each, sized to finish in a few minutes on a two-core machine. Each entry is a built-in and the
 * parameters that size it; the full-size defaults stay with the experiments.
 */
export interface SuiteEntry {
  readonly experiment: string;
  /** What the summary line calls it. */
  readonly title: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export const STANDARD_SUITE: readonly SuiteEntry[] = [
  { experiment: 'cold-start', title: 'cold starts: nodejs and python at 128 and 512 MB', params: { repetitions: 2, warmCalls: 2 } },
  { experiment: 'concurrency-scaling', title: 'scaling: bursts of 1 to 8 concurrent calls', params: { maxBurst: 8, sleepMs: 300 } },
  { experiment: 'idle-timeout', title: 'idle timeout: how long an idle instance lives (keep-alive set to 2 s)', params: { keepAliveS: 2 } },
  { experiment: 'memory-sweep', title: 'memory sweep: duration and cost of a CPU-bound function from 128 MB to 1,769 MB', params: { calls: 3 } },
  { experiment: 'cpu-share', title: 'CPU share: the fraction of a CPU each memory size buys', params: { sizes: [128, 512, 1769], calls: 2 } },
  { experiment: 'trace-replay', title: 'trace replay: 2 minutes of the bundled Azure excerpt', params: { from: 6, to: 7 } },
];
