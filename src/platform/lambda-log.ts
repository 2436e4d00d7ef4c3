/**
 * The log lines Lambda writes around every invocation, byte for byte: tools that parse Lambda's
 * REPORT line (ours included) must work on the local platform's output unchanged.
 */

export interface ReportFacts {
  requestId: string;
  durationMs: number;
  billedMs: number;
  memoryMb: number;
  maxMemoryMb: number;
  /** Present on the invocation that started the instance. */
  initMs?: number;
  /** Present when the invocation did not end with a response or a handled error. */
  failure?: { status: 'timeout' | 'error'; errorType?: string };
}

export const startLine = (requestId: string, version = '$LATEST'): string => `START RequestId: ${requestId} Version: ${version}\n`;

export const endLine = (requestId: string): string => `END RequestId: ${requestId}\n`;

export const initStartLine = (runtimeVersion: string): string =>
  `INIT_START Runtime Version: ${runtimeVersion}\tRuntime Version ARN: arn:aws:lambda:local::runtime:${runtimeVersion}\n`;

/** How an init that did not reach /next ended: timed out, or failed with an error type. */
export type InitFailure = { status: 'timeout' } | { status: 'error'; errorType: string };

/**
 * INIT_REPORT, which Lambda prints where an init did not end in a ready runtime (the function's
 * REPORT then has no Init Duration): `INIT_REPORT Init Duration: 150.79 ms\tPhase: init\tStatus:
 * error\tError Type: Runtime.ImportModuleError`. Lambda then tries the init once more within the
 * invocation (a second line, `Phase: invoke`); the local platform inits once, so it prints the first.
 */
export function initReportLine(initMs: number, failure: InitFailure): string {
  const error = failure.status === 'error' ? `\tError Type: ${failure.errorType}` : '';
  return `INIT_REPORT Init Duration: ${initMs.toFixed(2)} ms\tPhase: init\tStatus: ${failure.status}${error}\n`;
}

export function reportLine(f: ReportFacts): string {
  let line =
    `REPORT RequestId: ${f.requestId}\tDuration: ${f.durationMs.toFixed(2)} ms\tBilled Duration: ${f.billedMs} ms\t` +
    `Memory Size: ${f.memoryMb} MB\tMax Memory Used: ${f.maxMemoryMb} MB\t`;
  if (f.initMs !== undefined) line += `Init Duration: ${f.initMs.toFixed(2)} ms\t`;
  if (f.failure) {
    line += `Status: ${f.failure.status}\t`;
    if (f.failure.errorType) line += `Error Type: ${f.failure.errorType}\t`;
  }
  return `${line}\n`;
}

/** Lambda bills whole milliseconds, rounding up, with a floor of 1 ms. */
export const billedMs = (durationMs: number): number => Math.max(1, Math.ceil(durationMs));

export const timeoutMessage = (timeoutS: number): string => `Task timed out after ${timeoutS.toFixed(2)} seconds`;

/** X-Amz-Log-Result carries at most the last 4 KB of an invocation's log. */
export function logTail(log: string): string {
  const bytes = Buffer.from(log, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - 4096)).toString('base64');
}
