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
  { experiment: 'trace-replay', title: 'trace replay: 2 minutes of the bundled Azure excerpt', params: { from: 6, to: 7 } },
];
