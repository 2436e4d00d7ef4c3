/** Exit codes every command uses, so scripts can tell failure kinds apart. */
export const EXIT = {
  ok: 0,
  /** The benchmark ran but something it measured failed (an invocation error, a failed check). */
  failed: 1,
  /** Bad command line. */
  usage: 2,
  /** Bad input: a file, a manifest, a parameter value. */
  input: 3,
  /**
   * The store failed and did not come back before the end: the records it did not take wait in a
   * journal file, which `faasbench store recover <journal>` loads.
   */
  store: 4,
  /**
   * The run ended and a `--threshold` failed (the list printed last says which). 99, as k6 exits
   * for failed thresholds, so CI scripts written for one read the other.
   */
  thresholds: 99,
  /** Stopped by Ctrl-C; what was measured is kept. */
  interrupted: 130,
} as const;
