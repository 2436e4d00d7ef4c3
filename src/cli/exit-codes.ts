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
   * Credentials were refused by the service (`check-credentials`): sysexits' EX_NOPERM, beside
   * EX_CONFIG below, so neither collides with the numbers counted up from 0.
   */
  credentialsRejected: 77,
  /** No credentials to check (`check-credentials`): sysexits' EX_CONFIG; `faasbench login` stores some. */
  credentialsMissing: 78,
  /**
   * The run ended and a `--threshold` failed (the list printed last says which). 99, as k6 exits
   * for failed thresholds, so CI scripts written for one read the other.
   */
  thresholds: 99,
  /** Stopped by Ctrl-C; what was measured is kept. */
  interrupted: 130,
} as const;
