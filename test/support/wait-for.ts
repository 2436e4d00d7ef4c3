/** For a test that starts the CLI and waits on it: a start takes 3 s on a quiet machine and 20 s on a loaded one. */
export const CLI_TEST_TIMEOUT_MS = 120_000;

/** Polls `check` every 50 ms until it holds; throws after `timeoutMs`, saying what was awaited. */
export async function waitFor(what: string | (() => string), check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  for (const started = Date.now(); !(await check()); await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (Date.now() - started > timeoutMs) throw new Error(`${typeof what === 'string' ? what : what()}: not within ${timeoutMs} ms`);
  }
}
